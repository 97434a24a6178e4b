-- wrk: the sandbox bank alone, answering what Drop asks of it for one QR
-- payment (POST /v1/payments/instant-sepa-credit-transfers of 1.50 NOK,
-- a fresh X-Request-ID each): the bank's share of C's ceiling.
-- BENCH_DEBTORS: the payers' account numbers, comma-separated;
-- BENCH_NOTIFY: where the bank sends its callbacks (Drop's, as for C).
local debtors = {}
local next_one = 1

function init(args)
	for d in string.gmatch(os.getenv("BENCH_DEBTORS"), "[0-9]+") do
		debtors[#debtors + 1] = d
	end
	next_one = math.random(1, #debtors)
end

local function uuid4()
	return string.format("%08x-%04x-4%03x-%04x-%012x",
	    math.random(0, 0x7fffffff), math.random(0, 0xffff),
	    math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff),
	    math.random(0, 0x7fffffff) * 65536 + math.random(0, 0xffff))
end

request = function()
	local d = debtors[next_one]
	next_one = next_one % #debtors + 1
	local body = '{"debtorAccount":{"bban":"' .. d .. '"},' ..
	    '"instructedAmount":{"currency":"NOK","amount":"1.50"},' ..
	    '"creditorAccount":{"bban":"99990000013"},' ..
	    '"creditorName":"Drop Payout Partner AS",' ..
	    '"remittanceInformationUnstructured":"bench"}'
	local headers = {
		["Content-Type"] = "application/json",
		["Accept"] = "application/json",
		["X-Request-ID"] = uuid4(),
		["PSU-IP-Address"] = "127.0.0.1",
		["TPP-Notification-URI"] = os.getenv("BENCH_NOTIFY"),
	}
	return wrk.format("POST", "/v1/payments/instant-sepa-credit-transfers",
	    headers, body)
end
