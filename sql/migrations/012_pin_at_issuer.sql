-- The PIN goes to the issuer only (PCI PIN scope; a hash of four digits
-- falls to 10,000 guesses whatever its cost): Drop keeps when it was set.
ALTER TABLE cards ADD COLUMN pin_set_at timestamptz;
UPDATE cards SET pin_set_at = updated_at WHERE pin_hash IS NOT NULL;
ALTER TABLE cards DROP COLUMN pin_hash;
