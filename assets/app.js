/*
 * Drop web client: plain JavaScript, no build step, served by Kore under a
 * strict Content-Security-Policy (no inline script or style). It uses the
 * cookie session and the X-CSRF-Token header, formats money and dates the
 * Norwegian way through Intl, speaks Norwegian (bokmål) or English as the
 * saved setting says, and shows every review exactly as it will be paid.
 * Text from the server is only ever set as textContent.
 */
'use strict';

/* ---- Amounts: what a person types, read without guessing ------------- */

/*
 * Reads an amount as people in Norway write it: "1005,50", "1 005,50",
 * "1.005,50", "1005.5", "149,50". A comma or a point is the decimal mark;
 * the other one (or a space) may group thousands, in groups of three. More
 * than two decimals ("12,345") is refused rather than read as thousands:
 * a misread amount could pay a hundred times too much. Returns
 * { ore } (integer øre) or { error } ('empty', 'invalid', 'decimals').
 */
function parseAmount(text) {
  const s = String(text === undefined || text === null ? '' : text)
    .replace(/[\s\u00a0\u202f]/g, '');
  if (s === '') return { error: 'empty' };
  if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) return { error: 'invalid' };
  const lastComma = s.lastIndexOf(',');
  const lastPoint = s.lastIndexOf('.');
  let intPart = s;
  let frac = '';
  let groupMark = null;
  if (lastComma >= 0 && lastPoint >= 0) {
    const dec = Math.max(lastComma, lastPoint);
    groupMark = dec === lastComma ? '.' : ',';
    intPart = s.slice(0, dec);
    frac = s.slice(dec + 1);
    if (frac.includes(',') || frac.includes('.')) return { error: 'invalid' };
  } else if (lastComma >= 0 || lastPoint >= 0) {
    const mark = lastComma >= 0 ? ',' : '.';
    const parts = s.split(mark);
    if (parts.length > 2) {
      /* "1.000.000": the mark groups thousands, there are no decimals. */
      groupMark = mark;
      intPart = s;
    } else {
      intPart = parts[0];
      frac = parts[1];
    }
  }
  if (groupMark !== null) {
    const groups = intPart.split(groupMark);
    if (groups.some((g, i) => (i === 0 ? !/^[0-9]{1,3}$/.test(g) : !/^[0-9]{3}$/.test(g)))) {
      return { error: 'invalid' };
    }
    intPart = groups.join('');
  }
  if (!/^[0-9]+$/.test(intPart) || !/^[0-9]*$/.test(frac)) return { error: 'invalid' };
  if (frac.length > 2) return { error: 'decimals' };
  if (intPart.length > 12) return { error: 'invalid' };
  const ore = Number(intPart) * 100 + Number((frac + '00').slice(0, 2));
  return { ore };
}

/* An amount in øre as the JSON number the API takes (12345 -> 123.45). */
function oreToNumber(ore) {
  return Number((ore / 100).toFixed(2));
}

/* ---- Language ---------------------------------------------------------- */

/* Norwegian texts, keyed by the English ones; English is the fallback. */
const NB = {
  'Drop': 'Drop',
  'Home': 'Hjem',
  'Overview': 'Oversikt',
  'Send': 'Send',
  'Pay': 'Betal',
  'Pay a shop': 'Betal i butikk',
  'More': 'Mer',
  'My shop': 'Min butikk',
  'Register a shop': 'Registrer en butikk',
  'Cards': 'Kort',
  'Notifications': 'Varsler',
  'Settings': 'Innstillinger',
  'Complaints': 'Klager',
  'Privacy': 'Personvern',
  'Log in': 'Logg inn',
  'Log out': 'Logg ut',
  'Create account': 'Opprett konto',
  'Main menu': 'Hovedmeny',
  'Quick menu': 'Hurtigmeny',
  'Working…': 'Jobber…',
  'Drop is temporarily unavailable. Nothing was lost; please try again in a moment.':
    'Drop er midlertidig utilgjengelig. Ingenting er tapt; prøv igjen om litt.',
  'Cannot reach Drop. Check your connection and try again.':
    'Får ikke kontakt med Drop. Sjekk tilkoblingen og prøv igjen.',
  'Something went wrong. Please try again.': 'Noe gikk galt. Prøv igjen.',
  'Please correct the fields marked below.': 'Rett opp feltene som er merket nedenfor.',
  /* First visit */
  'Send money home and pay shops, straight from your own bank account':
    'Send penger hjem og betal i butikker, rett fra din egen bankkonto',
  'Drop never holds your money. It asks your bank to pay, and only when you confirm.':
    'Drop oppbevarer aldri pengene dine. Drop ber banken din betale, og bare når du bekrefter.',
  'What it costs': 'Hva det koster',
  'Money transfers abroad: {fee} of the amount, shown before you confirm.':
    'Overføringer til utlandet: {fee} av beløpet, vist før du bekrefter.',
  'Paying a shop: nothing extra for you; the shop pays the fee.':
    'Betaling i butikk: ingenting ekstra for deg; butikken betaler gebyret.',
  'Try it': 'Prøv selv',
  'Amount': 'Beløp',
  'Country': 'Land',
  'Fee': 'Gebyr',
  'Total cost': 'Totalt',
  'Recipient gets': 'Mottaker får',
  'Exchange rate': 'Vekslingskurs',
  'Delivery': 'Levering',
  'Calculate': 'Beregn',
  /* The server's delivery promises (src/lib/policy.c). */
  '1-2 business days': '1–2 virkedager',
  '2-4 business days': '2–4 virkedager',
  'Instant': 'Straks',
  'Rates change; the review before you pay shows the rate you get.':
    'Kursene endrer seg; gjennomgangen før du betaler viser kursen du får.',
  'Already have an account?': 'Har du allerede en konto?',
  /* Auth */
  'Email': 'E-post',
  'Password': 'Passord',
  'Forgot your password?': 'Glemt passordet?',
  'New here?': 'Ny her?',
  'Create your account': 'Opprett kontoen din',
  'First name': 'Fornavn',
  'Last name': 'Etternavn',
  'Password (8 or more characters, with a letter and a digit)': 'Passord (minst 8 tegn, med en bokstav og et siffer)',
  'Phone (optional, +47…)': 'Telefon (valgfritt, +47…)',
  'Date of birth (dd.mm.yyyy)': 'Fødselsdato (dd.mm.åååå)',
  'I accept the terms of service': 'Jeg godtar vilkårene for bruk',
  'I have read the privacy policy': 'Jeg har lest personvernerklæringen',
  'Accept the terms to create an account.': 'Du må godta vilkårene for å opprette en konto.',
  'Confirm that you have read the privacy policy.': 'Bekreft at du har lest personvernerklæringen.',
  'Write the date as dd.mm.yyyy, for example 17.05.1990.': 'Skriv datoen som dd.mm.åååå, for eksempel 17.05.1990.',
  'Back to log in': 'Tilbake til innlogging',
  /* Overview */
  'Hi {name}': 'Hei {name}',
  'Total balance': 'Saldo totalt',
  'About {amount}': 'Omtrent {amount}',
  'Your bank accounts': 'Bankkontoene dine',
  'primary': 'hovedkonto',
  'Link a bank account': 'Koble til en bankkonto',
  'Link a personal account to send money and pay shops.': 'Koble til en personlig konto for å sende penger og betale i butikker.',
  'Bank': 'Bank',
  'Account number': 'Kontonummer',
  'Link account': 'Koble til konto',
  'No bank account linked yet.': 'Ingen bankkonto er koblet til ennå.',
  'Identity check': 'Identitetskontroll',
  'Identity check: {status}': 'Identitetskontroll: {status}',
  'What this means': 'Hva dette betyr',
  'pending': 'venter',
  'approved': 'godkjent',
  'rejected': 'avvist',
  'We are checking what you sent. We will notify you when it is done.': 'Vi sjekker det du sendte. Vi gir beskjed når det er gjort.',
  'Fill in the form below. Our compliance team checks it, usually within a business day.': 'Fyll ut skjemaet under. Vårt compliance-team sjekker det, vanligvis innen en virkedag.',
  'Your identity check was not approved; the notification says why. You can send the form again with corrections.': 'Identitetskontrollen ble ikke godkjent; varselet sier hvorfor. Du kan sende skjemaet på nytt med rettelser.',
  'Send for checking': 'Send til kontroll',
  'Full legal name': 'Fullt juridisk navn',
  'Address in Norway': 'Adresse i Norge',
  'National identity number (11 digits)': 'Fødselsnummer eller D-nummer (11 siffer)',
  'What will you send money for?': 'Hva skal du sende penger til?',
  'Supporting family': 'Støtte til familie',
  'Savings': 'Sparing',
  'Education': 'Utdanning',
  'Gifts': 'Gaver',
  'Business': 'Næring',
  'Anything to add (optional)': 'Noe å legge til (valgfritt)',
  'Recent transactions': 'Siste transaksjoner',
  'No transactions yet. Send money home or pay a shop, and they show here.':
    'Ingen transaksjoner ennå. Send penger hjem eller betal i en butikk, så vises de her.',
  'Transfer': 'Overføring',
  'Shop payment': 'Butikkbetaling',
  'Your shop today': 'Butikken din i dag',
  'Sales today': 'Salg i dag',
  'Next payout': 'Neste utbetaling',
  'Open my shop': 'Åpne min butikk',
  /* Bank accounts and consents */
  'Waiting for your approval at the bank': 'Venter på at du godkjenner i banken',
  'Approve at your bank': 'Godkjenn i banken din',
  'Make primary': 'Gjør til hovedkonto',
  'Unlink': 'Koble fra',
  'Unlink {account}? Drop stops reading it; your past payments stay in your history.':
    'Koble fra {account}? Drop slutter å lese den; tidligere betalinger blir stående i historikken.',
  'Unlinked {account}.': 'Koblet fra {account}.',
  'Allow Drop at your bank': 'Gi Drop tilgang i banken din',
  'Your bank asks you to allow Drop to read the balance of {account}. You come back here afterwards.':
    'Banken din ber deg gi Drop lov til å lese saldoen på {account}. Du kommer tilbake hit etterpå.',
  'The bank page is open until {time}.': 'Bankens side er åpen til {time}.',
  'Go to your bank': 'Gå til banken din',
  "Drop's access to {account} ends on {date}.": 'Drops tilgang til {account} slutter {date}.',
  "Drop's access to {account} ended on {date}. Renew it to see the balance and pay from it.":
    'Drops tilgang til {account} sluttet {date}. Forny den for å se saldoen og betale fra kontoen.',
  'Renew access': 'Forny tilgangen',
  'Access renewed until {date}.': 'Tilgangen er fornyet til {date}.',
  'Approve the renewal at your bank': 'Godkjenn fornyelsen i banken din',
  /* Status words */
  'On its way': 'Underveis',
  'Completed': 'Fullført',
  'Failed': 'Mislyktes',
  'Waiting for your bank': 'Venter på banken din',
  /* Why a payment failed, in words */
  'Not approved at your bank, or refused by it. The money stays in your account.':
    'Ikke godkjent i banken din, eller avvist av den. Pengene blir på kontoen din.',
  'Not approved at your bank within 15 minutes. The money stays in your account.':
    'Ikke godkjent i banken din innen 15 minutter. Pengene blir på kontoen din.',
  'Your bank could not be reached. The money stays in your account; try again later.':
    'Vi fikk ikke kontakt med banken din. Pengene blir på kontoen din; prøv igjen senere.',
  'Cancelled. The money stays in your account.': 'Avbrutt. Pengene blir på kontoen din.',
  'Could not be delivered. The whole amount, fee included, is back in your account.':
    'Kunne ikke leveres. Hele beløpet, gebyret medregnet, er tilbake på kontoen din.',
  'Your bank asks you to approve this payment.': 'Banken din ber deg godkjenne denne betalingen.',
  'Taking you to your bank…': 'Sender deg til banken din…',
  'Not paid': 'Ikke betalt',
  'This page follows the payment until your bank has answered.': 'Denne siden følger betalingen til banken din har svart.',
  /* Identity */
  'Transfers abroad need an approved identity check, as the law on money laundering requires. Paying shops in Norway does not.':
    'Overføringer til utlandet krever godkjent identitetskontroll, slik hvitvaskingsloven krever. Betaling i butikker i Norge gjør ikke det.',
  'Your identity check is approved. You can send money abroad.': 'Identitetskontrollen din er godkjent. Du kan sende penger til utlandet.',
  'Your identity check is waiting for review. We will notify you when it is done.':
    'Identitetskontrollen din venter på behandling. Vi varsler deg når den er ferdig.',
  'Your identity check was not approved. Contact support to find out why and what to send.':
    'Identitetskontrollen din ble ikke godkjent. Kontakt kundeservice for å få vite hvorfor og hva du må sende.',
  /* Send */
  'Send money home': 'Send penger hjem',
  'Recipient': 'Mottaker',
  'Add a recipient': 'Legg til en mottaker',
  'Add a recipient first.': 'Legg til en mottaker først.',
  'Name': 'Navn',
  'Account or IBAN': 'Konto eller IBAN',
  'Bank (optional)': 'Bank (valgfritt)',
  'Add recipient': 'Legg til mottaker',
  'Review': 'Se gjennom',
  'Edit': 'Endre',
  'Confirm and pay': 'Bekreft og betal',
  'Before you pay': 'Før du betaler',
  'From {min} to {max}': 'Fra {min} til {max}',
  'Fee ({percent})': 'Gebyr ({percent})',
  'Transfer on its way': 'Overføringen er underveis',
  '{name} gets {amount}': '{name} får {amount}',
  'Expected by {date}': 'Forventet innen {date}',
  'Reference {ref}': 'Referanse {ref}',
  'See the transfer': 'Se overføringen',
  'See the payment': 'Se betalingen',
  'Not sent. You can try again safely: it will not be paid twice.':
    'Ikke sendt. Du kan trygt prøve igjen: det blir ikke betalt to ganger.',
  'Link a bank account first.': 'Koble til en bankkonto først.',
  'This rate and fee hold for 10 minutes, until {time}.': 'Denne kursen og dette gebyret gjelder i 10 minutter, til {time}.',
  'The rate is no longer held. Press Edit, then Review, for the rate of now.':
    'Kursen gjelder ikke lenger. Trykk Endre og så Se gjennom for dagens kurs.',
  /* Pay */
  'Shop': 'Butikk',
  'Shop code or link from its QR code': 'Butikkens kode eller lenke fra QR-koden',
  'Enter the shop code or link from its QR code.': 'Skriv inn butikkens kode eller lenken fra QR-koden.',
  'No shop has this code.': 'Ingen butikk har denne koden.',
  'You pay': 'Du betaler',
  'Paid {amount} to {shop}': 'Betalt {amount} til {shop}',
  /* Transaction page */
  'Transaction': 'Transaksjon',
  'Status': 'Status',
  'Sent': 'Sendt',
  'Left your account': 'Trukket fra kontoen din',
  'Date': 'Dato',
  'Reference': 'Referanse',
  'Completed at': 'Fullført',
  'Expected by': 'Forventet innen',
  'Status history': 'Statushistorikk',
  'Created': 'Opprettet',
  'Transaction not found.': 'Fant ikke transaksjonen.',
  'Back to overview': 'Tilbake til oversikten',
  /* Merchant */
  'Business name': 'Firmanavn',
  'Organisation number (9 digits)': 'Organisasjonsnummer (9 siffer)',
  'Address (optional)': 'Adresse (valgfritt)',
  'Payout account': 'Utbetalingskonto',
  'Register shop': 'Registrer butikk',
  'Dashboard': 'Oversikt',
  'Period': 'Periode',
  'Today': 'I dag',
  'This week': 'Denne uken',
  'This month': 'Denne måneden',
  'Revenue': 'Omsetning',
  'Payments': 'Betalinger',
  'Fees': 'Gebyrer',
  'Net': 'Netto',
  '{amount} on {date} at {time}': '{amount} {date} kl. {time}',
  'Your QR code': 'QR-koden din',
  'Customers scan it with their phone camera to pay you.': 'Kundene skanner den med mobilkameraet for å betale deg.',
  'Download': 'Last ned',
  'Print': 'Skriv ut',
  'Payments received': 'Mottatte betalinger',
  'No payments yet. They show here as soon as a customer pays.': 'Ingen betalinger ennå. De vises her så snart en kunde betaler.',
  'Payouts': 'Utbetalinger',
  'Refunds': 'Refusjoner',
  '{shop} asks for {amount}': '{shop} ber om {amount}',
  'no longer open': 'ikke lenger åpen',
  'QR code for {amount}': 'QR-kode for {amount}',
  'Ask for a payment': 'Be om betaling',
  'Show QR code': 'Vis QR-kode',
  'Description': 'Beskrivelse',
  'The customer scans this code to pay exactly this amount.': 'Kunden skanner denne koden for å betale nøyaktig dette beløpet.',
  'API keys': 'API-nøkler',
  'New API key': 'Ny API-nøkkel',
  'Create key': 'Lag nøkkel',
  'For example the till it is for': 'For eksempel kassen den er til',
  'See payments and payouts': 'Se betalinger og utbetalinger',
  'Refund payments': 'Refundere betalinger',
  'Ask for payments': 'Be om betalinger',
  'Choose what the key may do.': 'Velg hva nøkkelen kan gjøre.',
  'Copy the key now: it is not shown again.': 'Kopier nøkkelen nå: den vises ikke igjen.',
  'Revoke': 'Tilbakekall',
  'Webhooks': 'Webhooks',
  'New webhook endpoint': 'Nytt webhook-endepunkt',
  'Add endpoint': 'Legg til endepunkt',
  'Endpoint address': 'Endepunktets adresse',
  'An https:// address on your own server': 'En https://-adresse på din egen server',
  'Payment received': 'Betaling mottatt',
  'Refund sent': 'Refusjon sendt',
  'Payout paid': 'Utbetaling sendt',
  'Choose what to be told of.': 'Velg hva du vil bli varslet om.',
  'Copy the signing secret now: it is not shown again.': 'Kopier signeringsnøkkelen nå: den vises ikke igjen.',
  'Remove': 'Fjern',
  'Deliveries': 'Leveranser',
  'Delivered': 'Levert',
  'Failed, tried again': 'Feilet, prøves igjen',
  'Nothing sent yet.': 'Ingenting sendt ennå.',
  'No webhook endpoints. Your server can be told of payments, refunds and payouts as they happen.':
    'Ingen webhook-endepunkter. Serveren din kan bli varslet om betalinger, refusjoner og utbetalinger når de skjer.',
  'No API keys. A key lets your till read payments or refund them without signing in.':
    'Ingen API-nøkler. En nøkkel lar kassen lese eller refundere betalinger uten å logge inn.',
  'Refund': 'Refunder',
  'Refunded {amount}': 'Refundert {amount}',
  'Refund to the customer': 'Refunder til kunden',
  'Amount to refund': 'Beløp å refundere',
  'At most {max}': 'Høyst {max}',
  'Refunded by the shop': 'Refundert av butikken',
  'No payouts yet. Every business day at 06:00, what customers paid you is sent to your bank account.':
    'Ingen utbetalinger ennå. Hver virkedag kl. 06:00 sendes det kundene har betalt deg, til bankkontoen din.',
  '{n} payments, fees {fees}': '{n} betalinger, gebyr {fees}',
  'Paid out': 'Utbetalt',
  'Refused by the bank, tried again next business day': 'Avvist av banken, prøves igjen neste virkedag',
  /* Cards */
  'Cards are not available yet.': 'Kort er ikke tilgjengelig ennå.',
  'New virtual card': 'Nytt virtuelt kort',
  'Freeze': 'Frys',
  'Unfreeze': 'Opphev frysing',
  'Cancel card': 'Avslutt kort',
  'Cancel this card for good?': 'Avslutte dette kortet for godt?',
  'You have no cards.': 'Du har ingen kort.',
  /* Notifications */
  'Mark all read': 'Merk alle som lest',
  'Notifications are off.': 'Varsler er slått av.',
  'No notifications yet.': 'Ingen varsler ennå.',
  /* Settings */
  'Language': 'Språk',
  'Display currency': 'Visningsvaluta',
  'Push notifications': 'Push-varsler',
  'Email notifications': 'E-postvarsler',
  'Save settings': 'Lagre innstillinger',
  'Saved.': 'Lagret.',
  'Consents': 'Samtykker',
  'Terms of service': 'Vilkår for bruk',
  'Privacy policy': 'Personvernerklæring',
  'Marketing messages': 'Markedsføring',
  'Analytics cookies': 'Analyse-informasjonskapsler',
  'Marketing cookies': 'Markedsførings-informasjonskapsler',
  'since {date}': 'siden {date}',
  /* Complaints */
  'About': 'Gjelder',
  'A transaction': 'En transaksjon',
  'The service': 'Tjenesten',
  'Something technical': 'Noe teknisk',
  'Other': 'Annet',
  'Subject': 'Emne',
  'What happened?': 'Hva skjedde?',
  'Send complaint': 'Send klage',
  'Your complaints': 'Klagene dine',
  'You have not sent any complaints.': 'Du har ikke sendt noen klager.',
  'Statements': 'Kontoutskrifter',
  'Your details': 'Dine opplysninger',
  'Save my details': 'Lagre opplysningene',
  'Held: our compliance team checks this transfer before it is sent. Nothing has left your account.': 'Holdt tilbake: vårt compliance-team sjekker overføringen før den sendes. Ingenting har gått fra kontoen din.',
  'Not sent after our compliance check. Nothing left your account.': 'Ikke sendt etter vår kontroll. Ingenting gikk fra kontoen din.',
  'Passed our check, but your account no longer covered it. Nothing left your account.': 'Godkjent i vår kontroll, men kontoen din dekket den ikke lenger. Ingenting gikk fra kontoen din.',
  'Write the e-mail address of your account. We send a link to choose a new password; it works once, for 30 minutes.': 'Skriv e-postadressen til kontoen din. Vi sender en lenke for å velge nytt passord; den virker én gang, i 30 minutter.',
  'Send the link': 'Send lenken',
  'If an account has this address, the link is on its way. Check your e-mail.': 'Hvis en konto har denne adressen, er lenken på vei. Sjekk e-posten din.',
  'Choose a new password': 'Velg nytt passord',
  'This link is not whole. Open it again from the e-mail, or ask for a new one.': 'Lenken er ikke hel. Åpne den igjen fra e-posten, eller be om en ny.',
  'Ask for a new link': 'Be om en ny lenke',
  'This link is used or too old. Ask for a new one.': 'Lenken er brukt eller for gammel. Be om en ny.',
  'Save the new password': 'Lagre det nye passordet',
  'New password': 'Nytt passord',
  'Current password': 'Nåværende passord',
  'Change password': 'Bytt passord',
  'Password changed. Every other device is signed out.': 'Passordet er byttet. Alle andre enheter er logget ut.',
  'Your password is changed. Log in with the new one.': 'Passordet er byttet. Logg inn med det nye.',
  'Statement for {month}': 'Kontoutskrift for {month}',
  'Month': 'Måned',
  'Show': 'Vis',
  'Download CSV': 'Last ned CSV',
  'Nothing happened this month.': 'Ingenting skjedde denne måneden.',
  'The statement could not be read.': 'Kontoutskriften kunne ikke leses.',
  'Type': 'Type',
  'To or from': 'Til eller fra',
  'Total': 'Totalt',
  'Rate': 'Kurs',
  'Received': 'Mottatt',
  'Net for the month': 'Netto for måneden',
  'remittance': 'overføring',
  'qr_payment': 'QR-betaling',
  'refund': 'refusjon',
  'succeeded': 'gjennomført',
  'Answer due by {day}': 'Svar innen {day}',
  'Why it takes longer: {reason}': 'Hvorfor det tar lenger tid: {reason}',
  'received': 'mottatt',
  'in_review': 'under behandling',
  'resolved': 'løst',
  /* Privacy */
  'Your data': 'Dataene dine',
  'Everything Drop holds about you, as a file.': 'Alt Drop har om deg, som en fil.',
  'Download my data': 'Last ned dataene mine',
  'Your export is ready:': 'Eksporten din er klar:',
  'Save drop-data-export.json': 'Lagre drop-data-export.json',
  'Delete account': 'Slett konto',
  'Delete my account': 'Slett kontoen min',
  'What deleting your account does': 'Hva sletting av kontoen gjør',
  'You are logged out everywhere and cannot log in again.': 'Du logges ut overalt og kan ikke logge inn igjen.',
  'Your cards are cancelled and your shop, if you have one, stops taking payments.':
    'Kortene dine avsluttes, og butikken din, om du har en, slutter å ta imot betalinger.',
  'Records of your payments are kept for 5 years, as the anti-money-laundering law requires, and then deleted.':
    'Opplysninger om betalingene dine oppbevares i 5 år, slik hvitvaskingsloven krever, og slettes deretter.',
  'Type your password to confirm.': 'Skriv inn passordet ditt for å bekrefte.',
  'Your account is deleted.': 'Kontoen din er slettet.',
  /* Field messages (sentences) */
  '{label} is required.': '{label} må fylles ut.',
  '{label}: write an amount such as 1 005,50.': '{label}: skriv et beløp som 1 005,50.',
  '{label} can have at most two decimals.': '{label} kan ha høyst to desimaler.',
  '{label} must be from {min} to {max}.': '{label} må være fra {min} til {max}.'
};

/* Server details in Norwegian, keyed by the API's English message. */
const NB_DETAILS = {
  'is required': 'må fylles ut',
  'has the wrong type': 'har feil type',
  'must be a valid email address of at most 254 characters': 'må være en gyldig e-postadresse på høyst 254 tegn',
  'must be 8-128 characters with at least one letter and one digit': 'må ha 8-128 tegn med minst én bokstav og ett siffer',
  'must be 1-100 characters with at least one letter and no HTML': 'må ha 1-100 tegn med minst én bokstav og ingen HTML',
  'must be + followed by 8-15 digits': 'må være + fulgt av 8-15 siffer',
  'must be a real date written YYYY-MM-DD': 'må være en gyldig dato',
  'you must be at least 18 years old': 'du må være minst 18 år',
  'must be a Norwegian account number (dddd.dd.ddddd or 11 digits) with a valid check digit':
    'må være et norsk kontonummer (dddd.dd.ddddd eller 11 siffer) med gyldig kontrollsiffer',
  'must be 5-34 letters, digits or spaces': 'må ha 5-34 bokstaver, siffer eller mellomrom',
  'must have at most 2 decimals': 'kan ha høyst to desimaler',
  'the bank does not know this account': 'banken kjenner ikke denne kontoen',
  'you cannot pay your own shop': 'du kan ikke betale din egen butikk',
  'must be 1-200 characters with at least one letter and no HTML': 'må ha 1-200 tegn med minst én bokstav og ingen HTML',
  'must be exactly 9 digits': 'må være nøyaktig 9 siffer',
  'must be 1-200 characters': 'må ha 1-200 tegn',
  'must be 1-2000 characters': 'må ha 1-2000 tegn'
};

const state = { me: null, inflight: 0, lang: 'nb', currency: 'NOK', cards: false, pricing: null, asked: {}, said: null };

function t(text, vars) {
  let s = state.lang === 'nb' && NB[text] !== undefined ? NB[text] : text;
  for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}

function setLang(lang) {
  state.lang = lang === 'en' ? 'en' : 'nb';
  document.documentElement.lang = state.lang === 'nb' ? 'nb' : 'en';
  try { localStorage.setItem('drop-lang', state.lang); } catch (e) { /* private mode */ }
}

/* ---- Formats: Norwegian, through Intl ---------------------------------- */

const LOCALE = 'nb-NO';
const NBSP = '\u00a0';
const fmt2 = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fmtRateNum = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const fmtPct = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 2 });
const fmtWhen = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' });
const fmtDay = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });

/* 1005 -> "1 005,00 kr"; another currency keeps its code: "11 760,00 RSD". */
function money(n, currency) {
  const s = fmt2.format(Number(n));
  return s + NBSP + (!currency || currency === 'NOK' ? 'kr' : currency);
}

function rateText(rate, currency) {
  return '1' + NBSP + 'NOK = ' + fmtRateNum.format(Number(rate)) + NBSP + currency;
}

/* 0.5 (percent) -> "0,5 %". */
function percent(p) {
  return fmtPct.format(Number(p) / 100);
}

function when(iso) {
  return iso ? fmtWhen.format(new Date(iso)) : '';
}

const fmtTime = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' });

/* "2026-12-02T13:05:00Z" -> "14:05" (Oslo). */
function clock(iso) {
  return iso ? fmtTime.format(new Date(iso)) : '';
}

/* "2026-12-02" -> "02.12.2026", without a time zone shifting the day. */
function day(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  return m ? fmtDay.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : '';
}

/* 11 digits -> "1234.56.78903", the way Norwegian banks write them. */
function accountText(n) {
  const d = String(n || '').replace(/\D/g, '');
  return d.length === 11 ? d.slice(0, 4) + '.' + d.slice(4, 6) + '.' + d.slice(6) : String(n || '');
}

function statusText(s) {
  return t({ processing: 'On its way', completed: 'Completed', failed: 'Failed',
    pending_authorisation: 'Waiting for your bank' }[s] || s);
}

/* Why a failed payment failed, and that the money stayed (the API's reasons). */
function failureText(reason) {
  return t({ rejected_by_bank: 'Not approved at your bank, or refused by it. The money stays in your account.',
    expired: 'Not approved at your bank within 15 minutes. The money stays in your account.',
    bank_unavailable: 'Your bank could not be reached. The money stays in your account; try again later.',
    cancelled: 'Cancelled. The money stays in your account.',
    held_for_review: 'Held: our compliance team checks this transfer before it is sent. Nothing has left your account.',
    rejected_by_compliance: 'Not sent after our compliance check. Nothing left your account.',
    insufficient_balance: 'Passed our check, but your account no longer covered it. Nothing left your account.' }[reason] ||
    'Could not be delivered. The whole amount, fee included, is back in your account.');
}

/*
 * The notice an account's consent needs by now (a Date), or null: its
 * last day (consentExpiresAt) is less than 14 days away, or past.
 */
function consentNotice(a, now) {
  if (a.status !== 'active' || !a.consentExpiresAt) return null;
  const last = Date.parse(a.consentExpiresAt.slice(0, 10) + 'T00:00:00Z');
  if (Number.isNaN(last) || last - now.getTime() >= 14 * 86400000) return null;
  return { ended: now.getTime() >= last + 86400000, date: a.consentExpiresAt.slice(0, 10) };
}

function dateToIso(text) {
  const s = String(text || '').trim();
  let m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (m) return m[3] + '-' + m[2].padStart(2, '0') + '-' + m[1].padStart(2, '0');
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? s : null;
}

/* A shop's id from what its QR code holds (a link, drop://pay/…, or the id). */
function shopId(text) {
  const m = /(?:^|\/)(mer_[0-9a-f]{16})\s*$/.exec(String(text || '').trim());
  return m ? m[1] : null;
}

/* ---- DOM ---------------------------------------------------------------- */

function present(c) {
  return c !== null && c !== undefined && c !== false;
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (!present(v)) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (!present(c)) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* Replaces el's children; absent ones are left out, never shown as "null". */
function fill(el, ...nodes) {
  el.replaceChildren(...nodes.flat().filter(present));
  return el;
}

function facts(id, rows) {
  return h('dl', { class: 'facts', id }, rows.filter(present).flatMap(([k, v]) =>
    [h('dt', { text: k }), h('dd', {}, v)]));
}

/* A page: its heading takes the focus (announced), the page frame does not. */
function show(title, ...nodes) {
  const m = document.getElementById('main');
  const h1 = h('h1', { tabindex: '-1', text: title });
  fill(m, h1, ...nodes);
  document.title = title + ' · Drop';
  h1.focus({ preventScroll: true });
  renderNav();
}

function banner(text, ok) {
  const b = document.getElementById('banner');
  b.textContent = text || '';
  b.hidden = !text;
  b.classList.toggle('ok', !!ok);
}

/* ---- API ---------------------------------------------------------------- */

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

function busy(delta) {
  state.inflight += delta;
  document.getElementById('busy').hidden = state.inflight === 0;
  document.body.setAttribute('aria-busy', state.inflight > 0 ? 'true' : 'false');
}

async function api(method, path, body, headers) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const csrf = cookie('drop_csrf');
  if (csrf && method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  Object.assign(opts.headers, headers || {});
  busy(1);
  try {
    const r = await fetch(path, opts);
    let json = null;
    if (r.status !== 204 && (r.headers.get('Content-Type') || '').includes('json')) {
      json = await r.json();
    }
    if (r.status === 503) {
      banner(t('Drop is temporarily unavailable. Nothing was lost; please try again in a moment.'));
    } else if (r.status < 500) {
      banner('');
    }
    if (r.status === 401 && !path.startsWith('/api/auth/')) {
      state.me = null;
      location.hash = '#/login';
    }
    return { status: r.status, ok: r.ok, json };
  } catch (e) {
    banner(t('Cannot reach Drop. Check your connection and try again.'));
    return { status: 0, ok: false, json: null };
  } finally {
    busy(-1);
  }
}

/* The public price list (types, ranges, fees), from the server's policy. */
async function pricing() {
  if (!state.pricing) {
    const r = await api('GET', '/api/pricing');
    if (r.ok) state.pricing = Object.fromEntries(r.json.data.map((p) => [p.type, p]));
  }
  return state.pricing || {};
}

/* ---- Forms -------------------------------------------------------------- */

/* The sentence for an API detail: "Account number must be ...". */
function detailSentence(label, message) {
  const msg = state.lang === 'nb' && NB_DETAILS[message] ? NB_DETAILS[message] : message;
  const range = /^must be from ([0-9.]+) to ([0-9.]+)$/.exec(message);
  if (range) return t('{label} must be from {min} to {max}.', { label, min: money(range[1]), max: money(range[2]) });
  return label + ' ' + msg + '.';
}

/*
 * A form from field specs {name, label, type, options, value, required,
 * hint, amount: {min, max} (øre)}. Fields are checked here first (required,
 * amounts), then onSubmit(values) returns the API's answer, whose details
 * land next to their fields as sentences. The first wrong field takes the
 * focus; every wrong field is aria-invalid.
 */
function form(spec) {
  const errs = {};
  const inputs = {};
  const labels = {};
  const general = h('p', { class: 'err', role: 'alert', id: 'f-' + spec.id + '-error' });
  const button = h('button', { type: 'submit', text: spec.submit, id: 'f-' + spec.id + '-submit' });
  const fields = h('fieldset', { class: 'fields' });
  const f = h('form', { novalidate: true, 'aria-label': spec.label || spec.submit, id: 'f-' + spec.id },
    fields, general, h('div', { class: 'row' }, button, spec.extra || null));
  for (const field of spec.fields) {
    let input;
    const id = 'f-' + spec.id + '-' + field.name;
    labels[field.name] = field.label;
    if (field.type === 'select') {
      input = h('select', { id, name: field.name },
        field.options.map(([v, text]) => h('option', { value: v, text, selected: v === field.value })));
    } else if (field.type === 'checkbox') {
      input = h('input', { id, name: field.name, type: 'checkbox', checked: !!field.value });
    } else if (field.type === 'textarea') {
      input = h('textarea', { id, name: field.name, rows: 4 });
      input.value = field.value || '';
    } else {
      input = h('input', {
        id, name: field.name, type: field.type || 'text',
        autocomplete: field.autocomplete || 'off',
        inputmode: field.amount ? 'decimal' : field.inputmode
      });
      if (present(field.value)) input.value = field.value;
    }
    inputs[field.name] = input;
    errs[field.name] = h('p', { class: 'err', id: id + '-err' });
    const hint = field.hint ? h('span', { class: 'hint', id: id + '-hint', text: field.hint }) : null;
    input.setAttribute('aria-describedby', (hint ? id + '-hint ' : '') + id + '-err');
    fields.append(field.type === 'checkbox'
      ? h('div', { class: 'field' }, h('label', { class: 'check', for: id }, input, field.label), errs[field.name])
      : h('div', { class: 'field' }, h('label', { for: id, text: field.label }),
        hint, field.amount ? h('span', { class: 'amount' }, input, h('span', { class: 'unit', 'aria-hidden': 'true', text: 'kr' })) : input,
        errs[field.name]));
    input.addEventListener('input', () => {
      input.removeAttribute('aria-invalid');
      errs[field.name].textContent = '';
      if (spec.onChange) spec.onChange();
    });
  }

  function mark(name, message) {
    if (!errs[name]) return false;
    errs[name].textContent = message;
    inputs[name].setAttribute('aria-invalid', 'true');
    return true;
  }

  function clear() {
    for (const [name, e] of Object.entries(errs)) {
      e.textContent = '';
      inputs[name].removeAttribute('aria-invalid');
    }
    general.textContent = '';
  }

  function focusFirst() {
    const bad = spec.fields.find((fl) => inputs[fl.name].getAttribute('aria-invalid') === 'true');
    (bad ? inputs[bad.name] : general).focus();
  }

  /* Client checks: what can be said without asking the server. */
  function check() {
    const values = {};
    let ok = true;
    const bad = (name, message) => { mark(name, message); ok = false; };
    for (const field of spec.fields) {
      const input = inputs[field.name];
      const label = field.label;
      if (field.type === 'checkbox') {
        values[field.name] = input.checked;
        if (field.required && !input.checked) bad(field.name, field.requiredMessage);
        continue;
      }
      const raw = input.value.trim();
      if (raw === '') {
        if (field.required) bad(field.name, t('{label} is required.', { label }));
        values[field.name] = field.keepEmpty ? '' : undefined;
        continue;
      }
      if (field.amount) {
        const a = parseAmount(raw);
        if (a.error === 'decimals') bad(field.name, t('{label} can have at most two decimals.', { label }));
        else if (a.error) bad(field.name, t('{label}: write an amount such as 1 005,50.', { label }));
        else if (a.ore < field.amount.min || a.ore > field.amount.max) {
          bad(field.name, t('{label} must be from {min} to {max}.', { label,
            min: money(field.amount.min / 100), max: money(field.amount.max / 100) }));
        } else values[field.name] = oreToNumber(a.ore);
        continue;
      }
      if (field.parse) {
        const parsed = field.parse(raw);
        if (parsed === null) bad(field.name, field.parseMessage);
        else values[field.name] = parsed;
        continue;
      }
      values[field.name] = raw;
    }
    return ok ? values : null;
  }

  function showAnswer(r) {
    const j = r.json || {};
    let placed = 0;
    const rest = [];
    for (const [name, message] of Object.entries(r.fieldErrors || {})) {
      if (mark(name, message)) placed++;
    }
    for (const d of j.details || []) {
      if (mark(d.field, detailSentence(labels[d.field] || d.field, d.message))) placed++;
      else rest.push(detailSentence(d.field, d.message));
    }
    general.textContent = placed > 0 && rest.length === 0 ? t('Please correct the fields marked below.')
      : rest.length ? rest.join(' ') : (j.message || t('Something went wrong. Please try again.'));
  }

  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    const values = check();
    if (!values) {
      general.textContent = t('Please correct the fields marked below.');
      focusFirst();
      return;
    }
    button.disabled = true;
    try {
      const r = await spec.onSubmit(values);
      if (r && !r.ok) {
        showAnswer(r);
        focusFirst();
      }
    } finally {
      button.disabled = false;
      /* A disabled button drops the focus; give it back unless it moved on. */
      if (document.activeElement === document.body && f.isConnected && !button.hidden) button.focus();
    }
  });
  f.inputs = inputs;
  f.fields = fields;
  f.mark = mark;
  f.button = button;
  f.general = general;
  return f;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/* ---- Navigation --------------------------------------------------------- */

function currentRoute() {
  return (location.hash.replace(/^#\/?/, '') || '').split('/')[0];
}

function links() {
  if (!state.me) return [['#/', t('Home')], ['#/login', t('Log in')], ['#/register', t('Create account')]];
  const me = state.me;
  return [['#/', t('Overview')], ['#/send', t('Send')], ['#/pay', t('Pay a shop')],
    me.role === 'merchant' ? ['#/merchant', t('My shop')] : null,
    state.cards ? ['#/cards', t('Cards')] : null,
    ['#/statement', t('Statements')],
    ['#/notifications', t('Notifications')], ['#/settings', t('Settings')],
    ['#/help', t('Complaints')], ['#/account', t('Privacy')]].filter(present);
}

function navLink([href, text]) {
  const here = '#/' + currentRoute() === href || (href === '#/' && currentRoute() === '');
  return h('a', { href, text, 'aria-current': here ? 'page' : null });
}

/* A top menu on wide screens; on phones a bottom tab bar and a More page. */
function renderNav() {
  fill(document.getElementById('nav'), links().map(navLink),
    state.me ? h('button', { class: 'link', type: 'button', text: t('Log out'), onclick: logout }) : null);
  const tabs = document.getElementById('tabs');
  fill(tabs, state.me ? [['#/', t('Home')], ['#/send', t('Send')], ['#/pay', t('Pay')], ['#/more', t('More')]].map((l) => {
    const a = navLink(l);
    const inMore = l[0] === '#/more' && !['', 'send', 'pay', 'tx'].includes(currentRoute());
    if (inMore) a.setAttribute('aria-current', 'page');
    return a;
  }) : []);
  tabs.hidden = !state.me;
  document.body.classList.toggle('with-tabs', !!state.me);
  document.getElementById('nav').setAttribute('aria-label', t('Main menu'));
  tabs.setAttribute('aria-label', t('Quick menu'));
  document.getElementById('busy').textContent = t('Working…');
}

async function loadMe() {
  const r = await api('GET', '/api/users/me');
  state.me = r.ok ? r.json.data : null;
  if (state.me && !state.settingsLoaded) {
    const [s, c] = await Promise.all([api('GET', '/api/settings'), api('GET', '/api/cards')]);
    if (s.ok) {
      setLang(s.json.data.language);
      state.currency = s.json.data.currency;
    }
    state.cards = c.status !== 404;
    state.settingsLoaded = true;
  }
  return state.me;
}

async function logout() {
  await api('POST', '/api/auth/logout');
  state.me = null;
  state.settingsLoaded = false;
  location.hash = '#/login';
}

const routes = {};

/* Pages anyone may see; the others need a session. */
const PUBLIC = ['login', 'register', 'forgot', 'reset', 'welcome'];

/* The session cookie is HttpOnly; its CSRF twin says whether one exists. */
async function route() {
  let name = currentRoute();
  if (name === '' && !cookie('drop_csrf') && !state.me) name = 'welcome';
  if (PUBLIC.includes(name)) {
    routes[name]();
    return;
  }
  if (!state.me && (!cookie('drop_csrf') || !(await loadMe()))) {
    if (name === '') routes.welcome();
    else location.hash = '#/login';
    return;
  }
  (routes[name] || routes[''])();
}

/* ---- Views: first visit, auth ------------------------------------------ */

/* The fee calculator: the server's own estimate, no session needed. */
async function calculator() {
  const [countries, price] = await Promise.all([corridorOptions(), pricing()]);
  const remit = price.remittance;
  const out = h('div', { id: 'calc-result', 'aria-live': 'polite' });
  if (!remit) return null;
  const f = form({
    id: 'calc', submit: t('Calculate'),
    fields: [Object.assign(amountField(remit), { value: '1 000' }),
             { name: 'country', label: t('Country'), type: 'select', options: countries,
               value: countries.length ? countries[0][0] : '' }],
    onSubmit: async (v) => {
      const r = await api('GET', '/api/pricing/estimate?amount=' + encodeURIComponent(v.amount) +
        '&country=' + encodeURIComponent(v.country));
      if (r.ok) {
        fill(out, disclosureView(r.json.data, 'send', 'calc-facts'),
          h('p', { class: 'note', text: t('Rates change; the review before you pay shows the rate you get.') }));
      }
      return r;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'calc-h' }, h('h2', { id: 'calc-h', text: t('Try it') }), f, out);
}

routes.welcome = async () => {
  const price = await pricing();
  const fee = price.remittance ? percent(price.remittance.feePercentage) : '';
  show(t('Send money home and pay shops, straight from your own bank account'),
    h('p', { class: 'lead', text: t('Drop never holds your money. It asks your bank to pay, and only when you confirm.') }),
    h('div', { class: 'row' }, h('a', { class: 'button', href: '#/register', text: t('Create account') }),
      h('a', { class: 'button secondary', href: '#/login', text: t('Log in') })),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'cost-h' }, h('h2', { id: 'cost-h', text: t('What it costs') }),
        h('ul', { class: 'plain' },
          h('li', { text: t('Money transfers abroad: {fee} of the amount, shown before you confirm.', { fee }) }),
          h('li', { text: t('Paying a shop: nothing extra for you; the shop pays the fee.') }))),
      await calculator()));
};

routes.login = () => {
  show(t('Log in'), h('div', { class: 'card narrow' }, form({
    id: 'login', submit: t('Log in'),
    fields: [{ name: 'email', label: t('Email'), type: 'email', autocomplete: 'username', required: true },
             { name: 'password', label: t('Password'), type: 'password', autocomplete: 'current-password', required: true }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/auth/login', v);
      if (r.ok) { await loadMe(); location.hash = '#/'; }
      return r;
    }
  }), h('p', { class: 'note' }, h('a', { href: '#/forgot', text: t('Forgot your password?') })),
  h('p', { class: 'note' }, t('New here?') + ' ', h('a', { href: '#/register', text: t('Create account') }))));
};

routes.forgot = () => {
  const sent = h('p', { class: 'note', role: 'status', id: 'forgot-sent' });
  show(t('Forgot your password?'), h('div', { class: 'card narrow' },
    h('p', { text: t('Write the e-mail address of your account. We send a link to choose a new password; it works once, for 30 minutes.') }),
    form({
      id: 'forgot', submit: t('Send the link'),
      fields: [{ name: 'email', label: t('Email'), type: 'email', autocomplete: 'username', required: true }],
      onSubmit: async (v) => {
        const r = await api('POST', '/api/auth/password-reset', v);
        if (r.ok) sent.textContent = t('If an account has this address, the link is on its way. Check your e-mail.');
        return r;
      }
    }), sent,
    h('p', {}, h('a', { href: '#/login', text: t('Back to log in') }))));
};

/* The link from the reset e-mail: #/reset/<token>. */
routes.reset = () => {
  const token = (location.hash.match(/^#\/reset\/([A-Za-z0-9_-]{43})$/) || [])[1];
  if (!token) {
    show(t('Choose a new password'), h('div', { class: 'card narrow' },
      h('p', { class: 'error', role: 'alert', text: t('This link is not whole. Open it again from the e-mail, or ask for a new one.') }),
      h('p', {}, h('a', { href: '#/forgot', text: t('Ask for a new link') }))));
    return;
  }
  show(t('Choose a new password'), h('div', { class: 'card narrow' }, form({
    id: 'reset', submit: t('Save the new password'),
    fields: [{ name: 'password', label: t('New password'), type: 'password', autocomplete: 'new-password', required: true }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/auth/password-reset/confirm', { token, password: v.password });
      if (r.ok) {
        location.hash = '#/login';
        banner(t('Your password is changed. Log in with the new one.'), true);
      }
      if (r.status === 400) r.json = Object.assign({}, r.json, { message: t('This link is used or too old. Ask for a new one.') });
      return r;
    }
  }), h('p', {}, h('a', { href: '#/forgot', text: t('Ask for a new link') }))));
};

routes.register = () => {
  show(t('Create your account'), h('div', { class: 'card narrow' }, form({
    id: 'register', submit: t('Create account'),
    fields: [{ name: 'firstName', label: t('First name'), autocomplete: 'given-name', required: true },
             { name: 'lastName', label: t('Last name'), autocomplete: 'family-name', required: true },
             { name: 'email', label: t('Email'), type: 'email', autocomplete: 'email', required: true },
             { name: 'password', label: t('Password (8 or more characters, with a letter and a digit)'), type: 'password',
               autocomplete: 'new-password', required: true },
             { name: 'phone', label: t('Phone (optional, +47…)'), type: 'tel', autocomplete: 'tel' },
             { name: 'dateOfBirth', label: t('Date of birth (dd.mm.yyyy)'), inputmode: 'numeric', autocomplete: 'bday',
               required: true, parse: dateToIso, parseMessage: t('Write the date as dd.mm.yyyy, for example 17.05.1990.') },
             { name: 'terms', label: t('I accept the terms of service'), type: 'checkbox', required: true,
               requiredMessage: t('Accept the terms to create an account.') },
             { name: 'privacy', label: t('I have read the privacy policy'), type: 'checkbox', required: true,
               requiredMessage: t('Confirm that you have read the privacy policy.') }],
    onSubmit: async (v) => {
      const { terms, privacy, ...body } = v;
      const r = await api('POST', '/api/auth/register', body);
      if (!r.ok) return r;
      /* What was accepted is recorded as consents, with the time and address. */
      await api('POST', '/api/consents', { consentType: 'terms', granted: terms });
      await api('POST', '/api/consents', { consentType: 'privacy', granted: privacy });
      await loadMe();
      location.hash = '#/';
      return r;
    }
  }), h('p', { class: 'note' }, t('Already have an account?') + ' ', h('a', { href: '#/login', text: t('Log in') }))));
};

/* ---- Views: overview, history ------------------------------------------ */

function txLine(t0) {
  const who = t0.recipientName || t0.merchantName || '';
  const left = present(t0.total) ? t0.total : t0.amount;
  return h('li', {}, h('a', { class: 'tx', href: '#/tx/' + t0.id, 'data-id': t0.id },
    h('span', {}, h('strong', { text: who }), h('br'),
      h('span', { class: 'note', text: (t0.type === 'remittance' ? t('Transfer') : t('Shop payment')) + ' · ' +
        statusText(t0.status) + ' · ' + when(t0.createdAt) })),
    h('span', { class: 'money', text: money(left, t0.currency) })));
}

/* History with infinite scroll on the cursor pagination. */
function history() {
  const list = h('ul', { class: 'list', id: 'tx-list', 'aria-labelledby': 'tx-h' });
  const sentinel = h('div', { class: 'sentinel' });
  const empty = h('p', { class: 'note empty', text: t('No transactions yet. Send money home or pay a shop, and they show here.'), hidden: true });
  let cursor = null;
  let done = false;
  let loading = false;
  async function more() {
    if (done || loading) return;
    loading = true;
    const r = await api('GET', '/api/transactions?limit=20' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    loading = false;
    if (!r.ok) return;
    for (const x of r.json.data) list.append(txLine(x));
    cursor = r.json.pagination.nextCursor;
    done = !cursor;
    empty.hidden = list.children.length > 0;
    if (!done && sentinel.getBoundingClientRect().top < window.innerHeight) more();
  }
  const io = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) more();
  });
  io.observe(sentinel);
  more();
  return h('section', { class: 'card', 'aria-labelledby': 'tx-h' }, h('h2', { id: 'tx-h', text: t('Recent transactions') }), list, empty, sentinel);
}

function kycLine(me) {
  return h('p', { class: 'kyc ' + me.kycStatus, id: 'kyc-status' },
    t('Identity check: {status}', { status: t(me.kycStatus) }) + ' ',
    h('a', { href: '#/identity', text: t('What this means') }));
}

/* The bank's page where the user allows Drop to read an account. */
function consentStep(a) {
  return h('section', { class: 'card', id: 'consent-step', 'aria-labelledby': 'consent-h' },
    h('h2', { id: 'consent-h', tabindex: '-1', text: t('Allow Drop at your bank') }),
    h('p', { text: t('Your bank asks you to allow Drop to read the balance of {account}. You come back here afterwards.',
      { account: accountText(a.accountNumber) }) }),
    a.authorisation.expiresAt ? h('p', { class: 'note', text: t('The bank page is open until {time}.', { time: clock(a.authorisation.expiresAt) }) }) : null,
    h('p', {}, h('a', { class: 'button', id: 'consent-go', href: a.authorisation.url, text: t('Go to your bank') })));
}

function linkForm() {
  return form({
    id: 'link', submit: t('Link account'),
    fields: [{ name: 'bankName', label: t('Bank'), required: true },
             { name: 'accountNumber', label: t('Account number'), inputmode: 'numeric', required: true, hint: '1234.56.78903' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/bank-accounts', v);
      if (r.ok && r.json.data.authorisation) {
        const step = consentStep(r.json.data);
        document.getElementById('link-card').replaceWith(step);
        step.querySelector('h2').focus();
      } else if (r.ok) {
        routes['']();
      }
      return r;
    }
  });
}

/* One linked account: balance, its consent's state, what can be done. */
function accountLine(a) {
  const name = a.bankName + ' ' + accountText(a.accountNumber);
  const actions = h('span', { class: 'row actions' });
  if (a.status === 'active' && !a.isPrimary) {
    actions.append(h('button', { type: 'button', class: 'secondary small', id: 'primary-' + a.id, text: t('Make primary'),
      'aria-label': t('Make primary') + ': ' + name, onclick: async () => {
        const r = await api('PATCH', '/api/bank-accounts/' + a.id, { isPrimary: true });
        if (r.ok) routes['']();
      } }));
  }
  actions.append(h('button', { type: 'button', class: 'secondary small', id: 'unlink-' + a.id, text: t('Unlink'),
    'aria-label': t('Unlink') + ': ' + name, onclick: async () => {
      if (!window.confirm(t('Unlink {account}? Drop stops reading it; your past payments stay in your history.', { account: name }))) return;
      const r = await api('DELETE', '/api/bank-accounts/' + a.id);
      if (r.ok) {
        state.said = t('Unlinked {account}.', { account: name });
        await routes['']();
      } else if (r.json) {
        banner(r.json.message);
      }
    } }));
  const waiting = a.authorisation ? h('span', { class: 'note' }, (a.status === 'active' ? '' : t('Waiting for your approval at the bank') + ' · '),
    h('a', { href: a.authorisation.url, id: 'approve-' + a.id,
      text: a.status === 'active' ? t('Approve the renewal at your bank') : t('Approve at your bank') })) : null;
  return h('li', { 'data-id': a.id, class: a.status },
    h('span', {}, h('span', { text: name + (a.isPrimary ? ' (' + t('primary') + ')' : '') }), waiting ? h('br') : null, waiting),
    h('span', { class: 'money', text: a.status === 'active' ? money(a.balance, a.currency) : '' }), actions);
}

/* Accounts whose consent ends soon or has ended, each with Renew. */
function consentNotices(accounts) {
  const items = accounts.map((a) => [a, consentNotice(a, new Date())]).filter(([, n]) => n);
  if (!items.length) return null;
  return h('section', { class: 'card notice', id: 'consent-notice', role: 'status' }, items.map(([a, n]) => {
    const name = a.bankName + ' ' + accountText(a.accountNumber);
    return h('p', {}, t(n.ended ? "Drop's access to {account} ended on {date}. Renew it to see the balance and pay from it."
      : "Drop's access to {account} ends on {date}.", { account: name, date: day(n.date) }) + ' ',
    h('button', { type: 'button', id: 'renew-' + a.id, text: t('Renew access'), onclick: async () => {
      const r = await api('POST', '/api/bank-accounts/' + a.id + '/consent');
      if (r.ok && r.json.data.authorisation) {
        location.assign(r.json.data.authorisation.url);
      } else if (r.ok) {
        state.said = t('Access renewed until {date}.', { date: day(r.json.data.consentExpiresAt.slice(0, 10)) });
        await routes['']();
      }
    } }));
  }));
}

/*
 * Back from the bank: a consent waiting for approval is asked about once
 * per visit (approved, the account reads its balance; refused, the bank's
 * answer is said). The user comes back to the overview either way.
 */
async function settleConsents(me) {
  const waiting = me.bankAccounts.filter((a) => a.authorisation && !state.asked[a.authorisation.url]);
  if (!waiting.length) return me;
  const said = [];
  for (const a of waiting) {
    state.asked[a.authorisation.url] = true;
    const r = await api('POST', '/api/bank-accounts/' + a.id + '/refresh');
    if (r.status === 409 && r.json) said.push(r.json.message);
  }
  const fresh = await loadMe();
  if (said.length) state.said = said.join(' ');
  return fresh || me;
}

/* Total in the display currency as well, when one with a rate is chosen. */
async function approx(nok) {
  if (state.currency === 'NOK') return null;
  const r = await api('GET', '/api/rates');
  const rate = r.ok ? r.json.data.rates[state.currency] : null;
  return rate ? h('p', { class: 'note', id: 'total-approx', text: t('About {amount}', { amount: money(nok * rate, state.currency) }) }) : null;
}

async function shopToday() {
  const r = await api('GET', '/api/merchants/dashboard?period=today');
  if (!r.ok) return null;
  const d = r.json.data;
  return h('section', { class: 'card', 'aria-labelledby': 'shop-h' }, h('h2', { id: 'shop-h', text: t('Your shop today') }),
    facts('shop-today', [[t('Sales today'), money(d.revenue)],
      [t('Next payout'), t('{amount} on {date} at {time}', { amount: money(d.nextPayout.amount), date: day(d.nextPayout.date), time: d.payoutTime })]]),
    h('p', {}, h('a', { href: '#/merchant', text: t('Open my shop') })));
}

routes[''] = async () => {
  let me = await loadMe();
  if (!me) return;
  me = await settleConsents(me);
  const accounts = me.bankAccounts.length
    ? h('ul', { class: 'list', id: 'accounts' }, me.bankAccounts.map(accountLine))
    : h('p', { class: 'note empty', id: 'accounts', text: t('No bank account linked yet.') });
  const balance = h('section', { class: 'card', 'aria-labelledby': 'bal-h' },
    h('h2', { id: 'bal-h', text: t('Total balance') }),
    h('p', { class: 'big money', id: 'total-balance', text: money(me.totalBalance) }),
    await approx(me.totalBalance), kycLine(me),
    h('h3', { text: t('Your bank accounts') }), accounts);
  const link = h('section', { class: 'card', id: 'link-card', 'aria-labelledby': 'link-h' }, h('h2', { id: 'link-h', text: t('Link a bank account') }),
    me.role === 'merchant' && !me.bankAccounts.length ? h('p', { class: 'note', text: t('Link a personal account to send money and pay shops.') }) : null,
    linkForm());
  const shop = me.role === 'merchant' ? await shopToday() : null;
  // What the last action on this page did, said once (not in the banner,
  // which the page's own requests clear).
  const said = state.said ? h('p', { class: 'card said', id: 'overview-said', role: 'status', text: state.said }) : null;
  state.said = null;
  show(t('Hi {name}', { name: me.firstName }), said, consentNotices(me.bankAccounts),
    h('div', { class: 'grid' }, shop, balance, link), history());
};

routes.identity = async () => {
  const me = await loadMe();
  if (!me) return;
  const says = { approved: 'Your identity check is approved. You can send money abroad.',
    in_review: 'We are checking what you sent. We will notify you when it is done.',
    pending: 'Fill in the form below. Our compliance team checks it, usually within a business day.',
    rejected: 'Your identity check was not approved; the notification says why. You can send the form again with corrections.' };
  const open = me.kycStatus === 'pending' || me.kycStatus === 'rejected';
  const f = open ? form({
    id: 'kyc', submit: t('Send for checking'),
    fields: [{ name: 'legalName', label: t('Full legal name'), autocomplete: 'name', value: me.firstName + ' ' + me.lastName, required: true },
             { name: 'address', label: t('Address in Norway'), autocomplete: 'street-address', required: true },
             { name: 'nationalId', label: t('National identity number (11 digits)'), inputmode: 'numeric', autocomplete: 'off', required: true },
             { name: 'purpose', label: t('What will you send money for?'), type: 'select', value: 'family_support',
               options: [['family_support', t('Supporting family')], ['savings', t('Savings')], ['education', t('Education')],
                         ['gifts', t('Gifts')], ['business', t('Business')], ['other', t('Other')]] },
             { name: 'purposeDetail', label: t('Anything to add (optional)'), type: 'textarea' }],
    onSubmit: async (v) => {
      if (!v.purposeDetail) delete v.purposeDetail;
      const r = await api('POST', '/api/kyc', v);
      if (r.ok) { state.me = null; await routes.identity(); }
      return r;
    }
  }) : null;
  show(t('Identity check'), h('div', { class: 'card narrow', id: 'kyc-page' },
    h('p', { class: 'kyc ' + me.kycStatus, id: 'kyc-state', text: t('Identity check: {status}', { status: t(me.kycStatus) }) }),
    h('p', { text: t(says[me.kycStatus] || says.pending) }), f,
    h('p', { class: 'note', text: t('Transfers abroad need an approved identity check, as the law on money laundering requires. Paying shops in Norway does not.') })));
};

/* ---- Views: send money and pay a shop ---------------------------------- */

/* A country's name in the page's language ("BA" -> "Bosnia-Hercegovina"). */
function countryName(code) {
  try {
    return new Intl.DisplayNames([state.lang === 'nb' ? 'nb' : 'en'], { type: 'region' }).of(code);
  } catch (e) {
    return code;
  }
}

/* The payout countries, from the server's one corridor table. */
async function corridorOptions() {
  if (!state.corridors) {
    const r = await api('GET', '/api/corridors');
    if (!r.ok) return [];
    state.corridors = r.json.data;
  }
  return state.corridors.map((c) => [c.country, countryName(c.country)]);
}

function amountField(p) {
  return { name: 'amount', label: t('Amount'), required: true, amount: { min: p.minAmount * 100, max: p.maxAmount * 100 },
    hint: t('From {min} to {max}', { min: money(p.minAmount), max: money(p.maxAmount) }) };
}

function disclosureView(d, kind, id) {
  return facts(id || 'disclosure', kind === 'send' ? [
    [t('Amount'), money(d.amount)],
    [t('Fee ({percent})', { percent: percent(d.feePercentage) }), money(d.fee)],
    [t('Total cost'), money(d.totalCost)],
    [t('Exchange rate'), rateText(d.exchangeRate, d.receiveCurrency)],
    [t('Recipient gets'), money(d.receiveAmount, d.receiveCurrency)],
    [t('Delivery'), t(d.estimatedDelivery)]] : [
    [t('Shop'), d.merchantName],
    [t('You pay'), money(d.totalCost)]]);
}

/*
 * Review, then confirm. The review locks the form, so what is on screen is
 * what gets paid; Edit unlocks it and drops the review. One Idempotency-Key
 * per reviewed payment, reused when the same payment is retried.
 */
function payFlow(kind, fields, disclose, pay, done) {
  let attempt = null;
  const review = h('div', { id: kind + '-review', class: 'review', 'aria-live': 'polite', hidden: true });
  const edit = h('button', { type: 'button', class: 'secondary', id: kind + '-edit', text: t('Edit'), hidden: true });
  const f = form({ id: kind, submit: t('Review'), fields, extra: edit, onSubmit: async (v) => {
    const r = await api('POST', '/api/transactions/disclosure', disclose(v));
    if (r.status === 404 && kind === 'pay') return Object.assign(r, { fieldErrors: { merchantId: t('No shop has this code.') } });
    if (!r.ok) return r;
    attempt = { key: newKey(), body: pay(v, r.json.data), disclosure: r.json.data };
    lock(true);
    const result = h('p', { class: 'err', role: 'alert', id: kind + '-error' });
    const confirm = h('button', { type: 'button', id: kind + '-confirm', text: t('Confirm and pay') });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      edit.disabled = true;
      const p = await api('POST', kind === 'send' ? '/api/transactions/remittance' : '/api/transactions/qr-payment',
        attempt.body, { 'Idempotency-Key': attempt.key });
      confirm.disabled = false;
      edit.disabled = false;
      if (p.ok && p.json.data.status === 'pending_authorisation' && p.json.data.authorisation) {
        // The bank's page, then back to the payment's own page (#/tx/<id>).
        const going = h('p', { role: 'status', tabindex: '-1', id: kind + '-to-bank',
          text: t('Your bank asks you to approve this payment.') + ' ' + t('Taking you to your bank…') });
        fill(review, going);
        edit.hidden = true;
        f.hidden = true;
        going.focus();
        location.assign(p.json.data.authorisation.url);
      } else if (p.ok) {
        const tx = p.json.data;
        const shown = tx.status === 'failed'
          ? doneView(kind, [t('Not paid'), failureText(tx.failureReason)], tx.id, true)
          : await done(tx, attempt.disclosure);
        fill(review, shown);
        edit.hidden = true;
        f.hidden = true;
        attempt = null;
        shown.focus();
      } else if (p.json && p.json.error === 'quote_expired') {
        result.textContent = t('The rate is no longer held. Press Edit, then Review, for the rate of now.');
        result.focus();
      } else {
        result.textContent = (p.json && p.json.message) || t('Not sent. You can try again safely: it will not be paid twice.');
        result.focus();
      }
    });
    const held = r.json.data.expiresAt ? h('p', { class: 'note', id: 'quote-expiry',
      text: t('This rate and fee hold for 10 minutes, until {time}.', { time: clock(r.json.data.expiresAt) }) }) : null;
    fill(review, h('h2', { text: t('Before you pay'), tabindex: '-1', id: kind + '-review-h' }),
      disclosureView(r.json.data, kind), held, result, h('div', { class: 'row' }, confirm));
    review.hidden = false;
    review.querySelector('h2').focus();
    return r;
  } });
  function lock(on) {
    f.fields.disabled = on;
    f.button.hidden = on;
    edit.hidden = !on;
    if (!on) {
      attempt = null;
      review.hidden = true;
      fill(review);
    }
  }
  edit.addEventListener('click', () => {
    lock(false);
    f.inputs[fields[fields.length - 1].name].focus();
  });
  return h('div', { class: 'card' }, f, review);
}

/* What the person sees once paid: who gets what, when, and the reference. */
function doneView(kind, lines, txId, failed) {
  return h('section', { class: failed ? 'done failed' : 'done', id: kind + '-done', tabindex: '-1', role: 'status' },
    h('h2', { text: lines[0] }), h('ul', { class: 'plain' }, lines.slice(1).filter(present).map((l) => h('li', { text: l }))),
    h('p', {}, h('a', { href: '#/tx/' + txId, id: kind + '-tx-link', text: kind === 'send' ? t('See the transfer') : t('See the payment') })));
}

function kycBox(me) {
  return h('section', { class: 'card kyc-box', id: 'kyc-box', 'aria-labelledby': 'kyc-h' },
    h('h2', { id: 'kyc-h', text: t('Identity check: {status}', { status: t(me.kycStatus) }) }),
    h('p', { text: t('Transfers abroad need an approved identity check, as the law on money laundering requires. Paying shops in Norway does not.') }),
    h('p', {}, h('a', { href: '#/identity', text: t('What this means') })));
}

routes.send = async () => {
  const me = await loadMe();
  if (!me) return;
  const [r, countries, price] = await Promise.all([api('GET', '/api/recipients?limit=50'), corridorOptions(), pricing()]);
  const recipients = r.ok ? r.json.data : [];
  const add = form({
    id: 'recipient', submit: t('Add recipient'),
    fields: [{ name: 'name', label: t('Name'), required: true },
             { name: 'country', label: t('Country'), type: 'select',
               value: countries.length ? countries[0][0] : '', options: countries },
             { name: 'bankAccount', label: t('Account or IBAN'), required: true },
             { name: 'bankName', label: t('Bank (optional)') }],
    onSubmit: async (v) => {
      const a = await api('POST', '/api/recipients', v);
      if (a.ok) routes.send();
      return a;
    }
  });
  const addCard = h('section', { class: 'card', 'aria-labelledby': 'add-h' }, h('h2', { id: 'add-h', text: t('Add a recipient') }), add);
  if (me.kycStatus !== 'approved') {
    show(t('Send money home'), kycBox(me), addCard);
    return;
  }
  const options = recipients.map((x) => [x.id, x.name + ' (' + x.country + ', ' + x.bankAccount + ')']);
  const flow = !me.bankAccounts.length ? h('div', { class: 'card' }, h('p', { text: t('Link a bank account first.') }),
    h('p', {}, h('a', { href: '#/', text: t('Link a bank account') })))
    : recipients.length && price.remittance ? payFlow('send',
      [{ name: 'recipientId', label: t('Recipient'), type: 'select', options }, amountField(price.remittance)],
      (v) => ({ type: 'remittance', amount: v.amount, recipientId: v.recipientId }),
      (v, d) => ({ recipientId: v.recipientId, amount: v.amount, quoteId: d.quoteId }),
      async (tx) => {
        const rc = await api('GET', '/api/transactions/' + tx.id + '/receipt');
        const receipt = rc.ok ? rc.json.data : {};
        return doneView('send', [t('Transfer on its way'),
          t('{name} gets {amount}', { name: tx.recipientName, amount: money(tx.receiveAmount, tx.receiveCurrency) }),
          t('Left your account') + ': ' + money(tx.total),
          receipt.estimatedCompletion ? t('Expected by {date}', { date: day(receipt.estimatedCompletion) }) : t(tx.eta),
          receipt.reference ? t('Reference {ref}', { ref: receipt.reference }) : null], tx.id);
      })
      : h('div', { class: 'card' }, h('p', { text: t('Add a recipient first.') }));
  show(t('Send money home'), h('p', { class: 'note', id: 'kyc-status' }, t('Identity check: {status}', { status: t(me.kycStatus) })),
    h('div', { class: 'grid' }, flow, addCard));
};

routes.pay = async () => {
  const me = await loadMe();
  if (!me) return;
  const price = await pricing();
  const [, deep, requestId] = location.hash.match(/^#\/pay\/(mer_[0-9a-f]{16})(?:\?request=(preq_[0-9a-f]{16}))?$/) || [];
  if (!price.qr_payment) return;
  // A shop's payment request: its amount is what is paid (the server holds it to that).
  const asked = requestId ? await api('GET', '/api/payment-requests/' + requestId) : null;
  const req = asked && asked.ok && asked.json.data.merchantId === deep ? asked.json.data : null;
  const amount = amountField(price.qr_payment);
  if (req) amount.value = fmt2.format(req.amount).replace(/\s/g, '');
  show(t('Pay a shop'),
    req ? h('p', { class: 'card', id: 'pay-request', text: t('{shop} asks for {amount}', { shop: req.merchantName, amount: money(req.amount) }) +
      (req.description ? ': ' + req.description : '') + (req.status !== 'open' ? ' (' + t('no longer open') + ')' : '') }) : null,
    payFlow('pay',
    [{ name: 'merchantId', label: t('Shop code or link from its QR code'), required: true, value: deep,
       parse: shopId, parseMessage: t('Enter the shop code or link from its QR code.') },
     amount],
    (v) => ({ type: 'qr_payment', amount: v.amount, merchantId: v.merchantId }),
    (v) => Object.assign({ merchantId: v.merchantId, amount: v.amount }, req && v.merchantId === req.merchantId ? { requestId: req.id } : {}),
    async (tx, d) => tx.status === 'completed'
      ? doneView('pay', [t('Paid {amount} to {shop}', { amount: money(tx.amount), shop: d.merchantName }), when(tx.createdAt)], tx.id)
      : doneView('pay', [statusText(tx.status), d.merchantName + ': ' + money(tx.amount)], tx.id)));
};

/* ---- Views: one transaction -------------------------------------------- */

/* Open payments are followed this often, this many times, while shown. */
const FOLLOW_MS = 2000;
const FOLLOW_MAX = 90;

routes.tx = async (follow) => {
  const hash = location.hash;
  const id = (hash.match(/^#\/tx\/(tx_[a-z]+_[0-9a-f]{16})$/) || [])[1];
  const [d, r, e] = id ? await Promise.all([api('GET', '/api/transactions/' + id), api('GET', '/api/transactions/' + id + '/receipt'),
    api('GET', '/api/transactions/' + id + '/events')]) : [{ ok: false }, { ok: false }, { ok: false }];
  if (!d.ok || !r.ok) {
    show(t('Transaction'), h('p', { class: 'card', text: t('Transaction not found.') }),
      h('p', {}, h('a', { href: '#/', text: t('Back to overview') })));
    return;
  }
  const x = d.json.data;
  const rc = r.json.data;
  const remit = x.type === 'remittance';
  const open = x.status === 'pending_authorisation' || (x.status === 'processing' && !remit);
  const events = e.ok ? e.json.data : [];
  const n = follow || 0;
  if (n > 0 && state.followed === x.status + events.length) {
    if (open && n < FOLLOW_MAX) setTimeout(() => { if (location.hash === hash) routes.tx(n + 1); }, FOLLOW_MS);
    return;
  }
  state.followed = x.status + events.length;
  show(remit ? t('Transfer') + ': ' + x.recipientName : t('Shop payment') + ': ' + x.merchantName,
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'txd-h' }, h('h2', { id: 'txd-h', 'aria-live': 'polite', text: statusText(x.status) }),
        x.status === 'failed' ? h('p', { class: 'failed-why', id: 'tx-why', text: failureText(x.failureReason) }) : null,
        x.authorisation ? h('p', {}, t('Your bank asks you to approve this payment.') + ' ',
          h('a', { href: x.authorisation.url, id: 'tx-approve', text: t('Approve at your bank') })) : null,
        open ? h('p', { class: 'note', text: t('This page follows the payment until your bank has answered.') }) : null,
        facts('tx-facts', [
          [t('Status'), statusText(x.status)],
          [t('Sent'), money(remit ? x.sendAmount : x.amount)],
          [t('Fee'), money(x.fee)],
          remit ? [t('Left your account'), money(x.total)] : [t('Left your account'), money(x.amount)],
          remit ? [t('Exchange rate'), rateText(x.exchangeRate, x.receiveCurrency)] : null,
          remit ? [t('Recipient gets'), money(x.receiveAmount, x.receiveCurrency)] : null,
          remit ? [t('Country'), countryName(x.recipientCountry)] : [t('Shop'), x.merchantName],
          [t('Date'), when(x.createdAt)],
          [t('Reference'), rc.reference],
          rc.estimatedCompletion ? [t('Expected by'), day(rc.estimatedCompletion)] : null,
          x.completedAt ? [t('Completed at'), when(x.completedAt)] : null,
          !remit && x.refundedAmount > 0 ? [t('Refunded by the shop'), money(x.refundedAmount)] : null])),
      h('section', { class: 'card', 'aria-labelledby': 'txs-h', id: 'tx-timeline' }, h('h2', { id: 'txs-h', text: t('Status history') }),
        h('ol', { class: 'timeline' }, events.length
          ? events.map((v) => h('li', { text: statusText(v.status) + ' · ' + when(v.at) }))
          : h('li', { text: t('Created') + ' · ' + when(x.createdAt) })))),
    h('p', {}, h('a', { href: '#/', text: t('Back to overview') })));
  if (open && n < FOLLOW_MAX) setTimeout(() => { if (location.hash === hash) routes.tx(n + 1); }, FOLLOW_MS);
};

/* ---- Views: a shop ------------------------------------------------------ */

function registerShop() {
  show(t('Register a shop'), h('div', { class: 'card narrow' }, form({
    id: 'merchant', submit: t('Register shop'),
    fields: [{ name: 'businessName', label: t('Business name'), required: true },
             { name: 'orgNumber', label: t('Organisation number (9 digits)'), inputmode: 'numeric', required: true },
             { name: 'address', label: t('Address (optional)') },
             { name: 'bankAccount', label: t('Payout account'), inputmode: 'numeric', required: true, hint: '1234.56.78903' }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/merchants/register', v);
      if (r.ok) { state.me = null; await loadMe(); routes.merchant(); }
      return r;
    }
  })));
}

/* Prints the QR card alone (app.css hides the rest while printing). */
function printQr() {
  document.body.classList.add('print-qr');
  window.addEventListener('afterprint', () => document.body.classList.remove('print-qr'), { once: true });
  window.print();
}

/*
 * A payment received, with what refunds took of it and, while some is
 * left, a Refund button that opens the refund form in place. One
 * Idempotency-Key per amount asked for, reused when that refund is retried.
 */
function receivedItem(x) {
  const li = h('li', { id: 'rcv-' + x.id },
    h('span', { text: x.customerName + ' · ' + when(x.createdAt) +
      (x.refundedAmount > 0 ? ' · ' + t('Refunded {amount}', { amount: money(x.refundedAmount) }) : '') }),
    h('span', { class: 'money', text: money(x.netAmount) }));
  if (x.refundableAmount > 0) {
    const open = h('button', { type: 'button', class: 'secondary', id: 'refund-open-' + x.id, text: t('Refund') });
    open.addEventListener('click', () => { open.hidden = true; li.append(refundForm(x)); });
    li.append(open);
  }
  return li;
}

function refundForm(x) {
  let attempt = null;
  const max = Math.round(x.refundableAmount * 100);
  return form({ id: 'refund-' + x.id, submit: t('Refund to the customer'), label: t('Refund'),
    fields: [{ name: 'amount', label: t('Amount to refund'), required: true, amount: { min: 1, max },
      hint: t('At most {max}', { max: money(x.refundableAmount) }) }],
    onSubmit: async (v) => {
      if (!attempt || attempt.amount !== v.amount) attempt = { amount: v.amount, key: newKey() };
      const r = await api('POST', '/api/merchants/transactions/' + x.id + '/refunds', v, { 'Idempotency-Key': attempt.key });
      if (r.ok) routes.merchant();
      return r;
    } });
}

/*
 * The shop's API keys (for a till): the live ones with their scopes and a
 * Revoke button; a new one is shown once, in full, until the page changes.
 */
function apiKeys(keys) {
  const shown = h('div', { id: 'key-new', 'aria-live': 'polite' });
  const live = keys.filter((k) => !k.revokedAt);
  const f = form({ id: 'key', submit: t('Create key'), label: t('New API key'),
    fields: [{ name: 'name', label: t('Name'), hint: t('For example the till it is for') },
             { name: 'read', label: t('See payments and payouts'), type: 'checkbox', value: true },
             { name: 'refund', label: t('Refund payments'), type: 'checkbox' },
             { name: 'ask', label: t('Ask for payments'), type: 'checkbox' }],
    onSubmit: async (v) => {
      const scopes = [v.read ? 'payments:read' : null, v.refund ? 'refunds:write' : null,
        v.ask ? 'requests:write' : null].filter(Boolean);
      if (!scopes.length) return { ok: false, json: { message: t('Choose what the key may do.') } };
      const r = await api('POST', '/api/merchants/api-keys', { name: v.name, scopes });
      if (r.ok) {
        fill(shown, h('p', { class: 'note', tabindex: '-1', text: t('Copy the key now: it is not shown again.') }),
          h('p', { class: 'url', id: 'key-secret', text: r.json.data.key }));
        shown.querySelector('p').focus();
      }
      return r;
    } });
  return h('section', { class: 'card', 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h', text: t('API keys') }),
    live.length ? h('ul', { class: 'list', id: 'api-keys' }, live.map((k) =>
      h('li', { id: 'apikey-' + k.id },
        h('span', { text: k.name + ' · ' + k.prefix + ' · ' + k.scopes.join(', ') }),
        h('button', { type: 'button', class: 'secondary', id: 'revoke-' + k.id, text: t('Revoke'),
          onclick: async () => { if ((await api('DELETE', '/api/merchants/api-keys/' + k.id)).ok) routes.merchant(); } }))))
      : h('p', { class: 'note empty', text: t('No API keys. A key lets your till read payments or refund them without signing in.') }),
    f, shown);
}

/*
 * The shop's webhook endpoints: each with its events, its last deliveries
 * on request and a Remove button; a new one's signing secret is shown
 * once, until the page changes.
 */
function webhooks(hooks) {
  const shown = h('div', { id: 'hook-new', 'aria-live': 'polite' });
  const names = { 'payment.completed': t('Payment received'), 'refund.succeeded': t('Refund sent'), 'payout.paid': t('Payout paid') };
  const f = form({ id: 'hook', submit: t('Add endpoint'), label: t('New webhook endpoint'),
    fields: [{ name: 'url', label: t('Endpoint address'), hint: t('An https:// address on your own server'), inputmode: 'url', required: true },
             { name: 'paid', label: names['payment.completed'], type: 'checkbox', value: true },
             { name: 'refund', label: names['refund.succeeded'], type: 'checkbox' },
             { name: 'payout', label: names['payout.paid'], type: 'checkbox' }],
    onSubmit: async (v) => {
      const events = [v.paid ? 'payment.completed' : null, v.refund ? 'refund.succeeded' : null,
        v.payout ? 'payout.paid' : null].filter(Boolean);
      if (!events.length) return { ok: false, json: { message: t('Choose what to be told of.') } };
      const r = await api('POST', '/api/merchants/webhooks', { url: v.url, events });
      if (r.ok) {
        fill(shown, h('p', { class: 'note', tabindex: '-1', text: t('Copy the signing secret now: it is not shown again.') }),
          h('p', { class: 'url', id: 'hook-secret', text: r.json.data.secret }));
        shown.querySelector('p').focus();
      }
      return r;
    } });
  const attemptText = (a) => (a.status === 'succeeded' ? t('Delivered') : a.nextAttemptAt ? t('Failed, tried again') : t('Failed')) +
    ' · ' + (names[a.eventType] || a.eventType) + ' · ' + (a.httpStatus ? 'HTTP ' + a.httpStatus : a.error || '') + ' · ' + when(a.attemptedAt);
  async function deliveries(hook, box) {
    const r = await api('GET', '/api/merchants/webhooks/' + hook.id + '/deliveries?limit=10');
    if (!r.ok) return;
    fill(box, r.json.data.length ? h('ul', { class: 'list', id: 'deliveries-' + hook.id }, r.json.data.map((a) =>
      h('li', { 'data-status': a.status, text: attemptText(a) })))
      : h('p', { class: 'note empty', text: t('Nothing sent yet.') }));
  }
  return h('section', { class: 'card', 'aria-labelledby': 'hooks-h' }, h('h2', { id: 'hooks-h', text: t('Webhooks') }),
    hooks.length ? h('ul', { class: 'list', id: 'webhooks' }, hooks.map((w) => {
      const box = h('div', { 'aria-live': 'polite' });
      return h('li', { id: 'hook-' + w.id },
        h('span', { class: 'url', text: w.url + ' · ' + w.events.map((e) => names[e] || e).join(', ') }),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'secondary', id: 'hook-log-' + w.id, text: t('Deliveries'), onclick: () => deliveries(w, box) }),
          h('button', { type: 'button', class: 'secondary', id: 'hook-remove-' + w.id, text: t('Remove'),
            onclick: async () => { if ((await api('DELETE', '/api/merchants/webhooks/' + w.id)).ok) routes.merchant(); } })),
        box);
    }))
      : h('p', { class: 'note empty', text: t('No webhook endpoints. Your server can be told of payments, refunds and payouts as they happen.') }),
    f, shown);
}

/* A payment request: one amount, a QR code the customer pays it by. */
function askPayment() {
  const shown = h('div', { id: 'request-shown', 'aria-live': 'polite' });
  const price = state.pricing && state.pricing.qr_payment;
  const f = form({ id: 'request', submit: t('Show QR code'), label: t('Ask for a payment'),
    fields: [price ? amountField(price) : { name: 'amount', label: t('Amount'), required: true, amount: { min: 1, max: 100000000 } },
             { name: 'description', label: t('Description') }],
    onSubmit: async (v) => {
      const r = await api('POST', '/api/merchants/payment-requests', v);
      if (r.ok) {
        const d = r.json.data;
        fill(shown, h('p', { class: 'note', tabindex: '-1', text: money(d.amount) + (d.description ? ': ' + d.description : '') + ' · ' +
            t('The customer scans this code to pay exactly this amount.') }),
          h('img', { class: 'qr', id: 'request-qr', src: '/api/merchants/payment-requests/' + d.id + '/qr.svg', alt: t('QR code for {amount}', { amount: money(d.amount) }) }),
          h('p', { class: 'note url', id: 'request-url', text: d.qrUrl }));
        shown.querySelector('p').focus();
      }
      return r;
    } });
  return h('section', { class: 'card', 'aria-labelledby': 'req-h' }, h('h2', { id: 'req-h', text: t('Ask for a payment') }), f, shown);
}

/* The shop's payouts: day, what it held, where it stands. */
function payoutList(payouts) {
  return h('section', { class: 'card', 'aria-labelledby': 'po-h' }, h('h2', { id: 'po-h', text: t('Payouts') }),
    payouts.length ? h('ul', { class: 'list', id: 'merchant-payouts' }, payouts.map((p) =>
      h('li', { 'data-status': p.status },
        h('span', { text: day(p.scheduledFor) + ' · ' + payoutStatusText(p.status) + ' · ' +
          t('{n} payments, fees {fees}', { n: p.paymentCount, fees: money(p.fees) }) }),
        h('span', { class: 'money', text: money(p.amount) }))))
      : h('p', { class: 'note empty', text: t('No payouts yet. Every business day at 06:00, what customers paid you is sent to your bank account.') }));
}

function payoutStatusText(s) {
  return { processing: t('On its way'), paid: t('Paid out'), failed: t('Refused by the bank, tried again next business day') }[s] || s;
}

routes.merchant = async () => {
  const me = await loadMe();
  if (!me) return;
  if (me.role !== 'merchant') {
    registerShop();
    return;
  }
  await pricing();
  const [qr, recent, paid, keys, hooks] = await Promise.all([api('GET', '/api/merchants/qr'), api('GET', '/api/merchants/transactions?limit=20'),
    api('GET', '/api/merchants/payouts?limit=10'), api('GET', '/api/merchants/api-keys'), api('GET', '/api/merchants/webhooks')]);
  const figures = h('div', { id: 'merchant-figures', 'aria-live': 'polite' });
  const buttons = {};
  async function period(p) {
    for (const [k, b] of Object.entries(buttons)) b.setAttribute('aria-pressed', k === p ? 'true' : 'false');
    const r = await api('GET', '/api/merchants/dashboard?period=' + p);
    if (!r.ok) return;
    const d = r.json.data;
    fill(figures, facts('merchant-facts', [[t('Revenue'), money(d.revenue)], [t('Payments'), String(d.transactionCount)],
      [t('Fees'), money(d.fees)], [t('Refunds'), money(d.refunds)], [t('Net'), money(d.netRevenue)],
      [t('Next payout'), t('{amount} on {date} at {time}', { amount: money(d.nextPayout.amount), date: day(d.nextPayout.date), time: d.payoutTime })]]));
  }
  const periods = h('div', { class: 'row segmented', role: 'group', 'aria-label': t('Period') },
    [['today', t('Today')], ['week', t('This week')], ['month', t('This month')]].map(([p, label]) => {
      buttons[p] = h('button', { type: 'button', class: 'secondary', id: 'period-' + p, text: label, 'aria-pressed': 'false', onclick: () => period(p) });
      return buttons[p];
    }));
  const items = recent.ok ? recent.json.data : [];
  const shopName = qr.ok ? qr.json.data.businessName : t('My shop');
  show(shopName,
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'dash-h' }, h('h2', { id: 'dash-h', text: t('Dashboard') }), periods, figures),
      h('section', { class: 'card qr-card', 'aria-labelledby': 'qr-h' }, h('h2', { id: 'qr-h', text: t('Your QR code') }),
        h('img', { class: 'qr', id: 'merchant-qr', src: '/api/merchants/qr.svg', alt: t('Your QR code') + ': ' + shopName }),
        h('p', { class: 'note', text: t('Customers scan it with their phone camera to pay you.') }),
        h('p', { class: 'note url', id: 'merchant-qr-url', text: qr.ok ? qr.json.data.qrUrl : '' }),
        h('div', { class: 'row no-print' },
          h('a', { class: 'button secondary', href: '/api/merchants/qr.svg', download: 'drop-qr.svg', text: t('Download') }),
          h('button', { type: 'button', class: 'secondary', id: 'qr-print', text: t('Print'), onclick: printQr })))),
    h('section', { class: 'card', 'aria-labelledby': 'rcv-h' }, h('h2', { id: 'rcv-h', text: t('Payments received') }),
      items.length ? h('ul', { class: 'list', id: 'merchant-payments' }, items.map(receivedItem))
        : h('p', { class: 'note empty', text: t('No payments yet. They show here as soon as a customer pays.') })),
    askPayment(),
    payoutList(paid.ok ? paid.json.data : []),
    apiKeys(keys.ok ? keys.json.data : []),
    webhooks(hooks.ok ? hooks.json.data : []));
  period('today');
};

/* ---- Views: cards (shown while their flag is on) ------------------------ */

routes.cards = async () => {
  const r = await api('GET', '/api/cards');
  if (r.status === 404) {
    show(t('Cards'), h('p', { class: 'card', text: t('Cards are not available yet.') }));
    return;
  }
  const cards = r.ok ? r.json.data : [];
  const msg = h('p', { class: 'err', role: 'alert' });
  async function act(method, path, body) {
    const a = await api(method, path, body);
    if (a.ok) routes.cards(); else msg.textContent = (a.json && a.json.message) || t('Something went wrong. Please try again.');
  }
  show(t('Cards'), msg,
    h('div', { class: 'row' }, h('button', { type: 'button', text: t('New virtual card'), onclick: () => act('POST', '/api/cards', { type: 'virtual' }) })),
    cards.length ? h('ul', { class: 'list card' }, cards.map((c) => h('li', {},
      h('span', { text: c.brand + ' ' + c.maskedNumber + ' · ' + c.type + ' · ' + c.status + ' · ' + c.expiryMonth + '/' + c.expiryYear }),
      h('span', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', text: c.status === 'frozen' ? t('Unfreeze') : t('Freeze'),
          onclick: () => act('PATCH', '/api/cards/' + c.id, { status: c.status === 'frozen' ? 'active' : 'frozen' }) }),
        h('button', { type: 'button', class: 'danger', text: t('Cancel card'),
          onclick: () => { if (window.confirm(t('Cancel this card for good?'))) act('DELETE', '/api/cards/' + c.id); } })))))
      : h('p', { class: 'card note empty', text: t('You have no cards.') }));
};

/* ---- Views: notifications, settings, complaints ------------------------- */

routes.notifications = async () => {
  const r = await api('GET', '/api/notifications?limit=50');
  if (r.status === 404) { show(t('Notifications'), h('p', { class: 'card', text: t('Notifications are off.') })); return; }
  const items = r.ok ? r.json.data : [];
  const unread = items.filter((n) => !n.read).map((n) => n.id);
  show(t('Notifications'),
    unread.length ? h('div', { class: 'row' }, h('button', { type: 'button', id: 'mark-read', text: t('Mark all read'),
      onclick: async () => { await api('PATCH', '/api/notifications', { notificationIds: unread.slice(0, 100) }); routes.notifications(); } })) : null,
    items.length ? h('ul', { class: 'list card', id: 'notifications' }, items.map((n) => h('li', { class: n.read ? '' : 'unread' },
      h('span', {}, h('strong', { text: n.title }), h('br'), h('span', { text: n.body })),
      h('span', { class: 'note', text: when(n.createdAt) }))))
      : h('p', { class: 'card note empty', text: t('No notifications yet.') }));
};

routes.settings = async () => {
  const [r, c, rates] = await Promise.all([api('GET', '/api/settings'), api('GET', '/api/consents'), api('GET', '/api/rates')]);
  const s = r.ok ? r.json.data : {};
  const current = Object.fromEntries((c.ok ? c.json.data : []).map((x) => [x.consent_type, x]));
  /* Only what the client can show: NOK and the currencies with a rate. */
  const currencies = ['NOK'].concat(Object.keys(rates.ok ? rates.json.data.rates : {}).sort());
  if (!currencies.includes(s.currency)) currencies.push(s.currency);
  const saved = h('p', { class: 'note', role: 'status', id: 'settings-saved' });
  const settings = form({
    id: 'settings', submit: t('Save settings'),
    fields: [{ name: 'language', label: t('Language'), type: 'select', value: s.language === 'en' ? 'en' : 'nb',
               options: [['nb', 'Norsk bokmål'], ['en', 'English']] },
             { name: 'currency', label: t('Display currency'), type: 'select', value: s.currency,
               options: currencies.filter(present).map((x) => [x, x]) },
             { name: 'pushEnabled', label: t('Push notifications'), type: 'checkbox', value: s.pushEnabled },
             { name: 'emailEnabled', label: t('Email notifications'), type: 'checkbox', value: s.emailEnabled }],
    onSubmit: async (v) => {
      const u = await api('PATCH', '/api/settings', v);
      if (u.ok) {
        setLang(u.json.data.language);
        state.currency = u.json.data.currency;
        await routes.settings();
        document.getElementById('settings-saved').textContent = t('Saved.');
      }
      return u;
    }
  });
  const types = [['terms', t('Terms of service')], ['privacy', t('Privacy policy')], ['marketing', t('Marketing messages')],
    ['cookies_analytics', t('Analytics cookies')], ['cookies_marketing', t('Marketing cookies')]];
  const consents = h('ul', { class: 'list' }, types.map(([type, label]) => {
    const box = h('input', { type: 'checkbox', id: 'consent-' + type, checked: !!(current[type] && current[type].granted) });
    box.addEventListener('change', async () => {
      const u = await api('POST', '/api/consents', { consentType: type, granted: box.checked });
      if (!u.ok) box.checked = !box.checked;
    });
    return h('li', {}, h('label', { class: 'check', for: 'consent-' + type }, box, label),
      h('span', { class: 'note', text: current[type] && current[type].granted_at ? t('since {date}', { date: when(current[type].granted_at) }) : '' }));
  }));
  const me = state.me || await loadMe() || {};
  const kept = h('p', { class: 'note', role: 'status', id: 'details-saved' });
  const details = form({
    id: 'details', submit: t('Save my details'),
    fields: [{ name: 'firstName', label: t('First name'), autocomplete: 'given-name', value: me.firstName, required: true },
             { name: 'lastName', label: t('Last name'), autocomplete: 'family-name', value: me.lastName, required: true },
             { name: 'phone', label: t('Phone (optional, +47…)'), type: 'tel', autocomplete: 'tel', value: me.phone || '' }],
    onSubmit: async (v) => {
      if (!v.phone) delete v.phone;
      const u = await api('PATCH', '/api/users/me', v);
      if (u.ok) { state.me = null; kept.textContent = t('Saved.'); }
      return u;
    }
  });
  const changed = h('p', { class: 'note', role: 'status', id: 'password-changed' });
  const password = form({
    id: 'password', submit: t('Change password'),
    fields: [{ name: 'currentPassword', label: t('Current password'), type: 'password', autocomplete: 'current-password', required: true },
             { name: 'newPassword', label: t('New password'), type: 'password', autocomplete: 'new-password', required: true }],
    onSubmit: async (v) => {
      const u = await api('PUT', '/api/users/me/password', v);
      if (u.ok) changed.textContent = t('Password changed. Every other device is signed out.');
      return u;
    }
  });
  show(t('Settings'), h('div', { class: 'grid' },
    h('section', { class: 'card', 'aria-label': t('Settings') }, settings, saved),
    h('section', { class: 'card', 'aria-labelledby': 'details-h' }, h('h2', { id: 'details-h', text: t('Your details') }), details, kept),
    h('section', { class: 'card', 'aria-labelledby': 'password-h' }, h('h2', { id: 'password-h', text: t('Password') }), password, changed),
    h('section', { class: 'card', 'aria-labelledby': 'consents-h' }, h('h2', { id: 'consents-h', text: t('Consents') }), consents)));
};

routes.help = async () => {
  const r = await api('GET', '/api/complaints?limit=20');
  const done = h('p', { class: 'note', role: 'status' });
  const f = form({
    id: 'complaint', submit: t('Send complaint'),
    fields: [{ name: 'category', label: t('About'), type: 'select', value: 'service',
               options: [['transaction', t('A transaction')], ['service', t('The service')], ['fees', t('Fees')],
                         ['privacy', t('Privacy')], ['technical', t('Something technical')], ['other', t('Other')]] },
             { name: 'subject', label: t('Subject'), required: true },
             { name: 'description', label: t('What happened?'), type: 'textarea', required: true }],
    onSubmit: async (v) => {
      const c = await api('POST', '/api/complaints', v);
      if (c.ok) { done.textContent = c.json.commitmentNote; }
      return c;
    }
  });
  const items = r.ok ? r.json.data : [];
  show(t('Complaints'), h('div', { class: 'grid' },
    h('section', { class: 'card', 'aria-label': t('Send complaint') }, f, done),
    h('section', { class: 'card', 'aria-labelledby': 'cmp-h' }, h('h2', { id: 'cmp-h', text: t('Your complaints') }),
      items.length ? h('ul', { class: 'list' }, items.map((x) =>
        h('li', {}, h('span', { text: x.subject }), h('span', { class: 'note', text: t(x.status) }),
          x.resolution ? h('p', { text: x.resolution }) : h('p', { class: 'note', text: t('Answer due by {day}', { day: day(x.due_at) }) }),
          x.exceptional_reason && !x.resolution ? h('p', { class: 'note', text: t('Why it takes longer: {reason}', { reason: x.exceptional_reason }) }) : null,
          x.next_step ? h('p', { class: 'note', text: x.next_step }) : null)))
        : h('p', { class: 'note empty', text: t('You have not sent any complaints.') }))));
};

/* ---- View: monthly statement (printable; the same rows as the CSV) ----- */

/* RFC 4180 text (the statement route's) -> rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false, i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += c; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/* "-123.45" (the statement's NOK) -> øre, exactly. */
function csvOre(text) {
  const m = /^(-?)(\d+)\.(\d\d)$/.exec(text || '');
  if (!m) return 0;
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

function thisMonth() {
  const d = new Date();
  return d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' }).slice(0, 7);
}

routes.statement = async () => {
  const asked = (location.hash.match(/^#\/statement\/(\d{4}-(?:0[1-9]|1[0-2]))$/) || [])[1];
  const month = asked || thisMonth();
  const url = '/api/transactions/statement?month=' + month;
  const picker = h('input', { type: 'month', id: 'statement-month', name: 'month', value: month });
  const pick = h('form', { class: 'row no-print', onsubmit: (e) => {
    e.preventDefault();
    if (/^\d{4}-\d{2}$/.test(picker.value)) location.hash = '#/statement/' + picker.value;
  } }, h('label', { for: 'statement-month', text: t('Month') }), picker,
  h('button', { type: 'submit', text: t('Show') }));
  // Scrolls sideways on a phone: a region the keyboard can reach.
  const body = h('div', { id: 'statement', tabindex: '0', role: 'region', 'aria-label': t('Statements') });
  show(t('Statement for {month}', { month }), pick, h('div', { class: 'row no-print' },
    h('button', { type: 'button', id: 'statement-print', onclick: () => window.print(), text: t('Print') }),
    h('a', { class: 'button secondary', href: url, download: 'drop-statement-' + month + '.csv', text: t('Download CSV') })),
  body);
  busy(1);
  let text = null;
  try {
    const r = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/csv' } });
    if (r.status === 401) { state.me = null; location.hash = '#/login'; return; }
    if (r.ok) text = await r.text();
  } catch (e) { /* shown below */ } finally { busy(-1); }
  if (text === null) { fill(body, h('p', { class: 'error', role: 'alert', text: t('The statement could not be read.') })); return; }
  const rows = parseCsv(text).slice(1);
  if (!rows.length) { fill(body, h('p', { class: 'note empty', text: t('Nothing happened this month.') })); return; }
  const net = rows.reduce((sum, r) => sum + csvOre(r[7]), 0);
  const cols = [t('Date'), t('Type'), t('To or from'), t('Amount'), t('Fee'), t('Total'), t('Rate'), t('Received'), t('Status')];
  fill(body, h('table', { class: 'statement' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-id': r[2] },
      h('td', { text: r[0] }), h('td', { text: t(r[1]) }), h('td', { text: r[3] }),
      h('td', { class: 'num', text: money(csvOre(r[5]) / 100) }), h('td', { class: 'num', text: money(csvOre(r[6]) / 100) }),
      h('td', { class: 'num', text: money(csvOre(r[7]) / 100) }),
      h('td', { class: 'num', text: r[9] && r[1] === 'remittance' ? fmtRateNum.format(Number(r[9])) : '' }),
      h('td', { class: 'num', text: r[10] ? money(csvOre(r[10]) / 100, r[11]) : '' }),
      h('td', { text: r[12] === 'succeeded' ? t('succeeded') : statusText(r[12]) })))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: '5', text: t('Net for the month') }),
      h('td', { class: 'num', id: 'statement-net', text: money(net / 100) }), h('td', { colspan: '3' })))));
};

/* ---- Views: privacy (export, deletion), and More on phones --------------- */

routes.account = () => {
  const out = h('p', { class: 'note', role: 'status' });
  const exp = h('button', { type: 'button', id: 'export', text: t('Download my data') });
  exp.addEventListener('click', async () => {
    const r = await api('GET', '/api/user/data-export');
    if (!r.ok) { out.textContent = (r.json && r.json.message) || t('Something went wrong. Please try again.'); return; }
    const blob = new Blob([JSON.stringify(r.json, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'drop-data-export.json', id: 'export-link',
      text: t('Save drop-data-export.json') });
    fill(out, t('Your export is ready:') + ' ', a);
  });
  show(t('Privacy'), h('div', { class: 'grid' },
    h('section', { class: 'card', 'aria-labelledby': 'data-h' }, h('h2', { id: 'data-h', text: t('Your data') }),
      h('p', { text: t('Everything Drop holds about you, as a file.') }), exp, out),
    h('section', { class: 'card', 'aria-labelledby': 'del-h' }, h('h2', { id: 'del-h', text: t('Delete account') }),
      h('p', {}, h('a', { href: '#/delete', id: 'delete-link', text: t('Delete my account') })))));
};

routes.delete = () => {
  show(t('Delete account'), h('div', { class: 'card narrow' },
    h('h2', { text: t('What deleting your account does') }),
    h('ul', { class: 'plain' },
      h('li', { text: t('You are logged out everywhere and cannot log in again.') }),
      h('li', { text: t('Your cards are cancelled and your shop, if you have one, stops taking payments.') }),
      h('li', { text: t('Records of your payments are kept for 5 years, as the anti-money-laundering law requires, and then deleted.') })),
    form({
      id: 'delete', submit: t('Delete my account'), label: t('Delete account'),
      fields: [{ name: 'password', label: t('Type your password to confirm.'), type: 'password', autocomplete: 'current-password', required: true }],
      onSubmit: async (v) => {
        const r = await api('DELETE', '/api/user/account', { password: v.password });
        if (r.ok) {
          state.me = null;
          state.settingsLoaded = false;
          banner(t('Your account is deleted.') + ' ' + r.json.retentionNote, true);
          location.hash = '#/login';
        }
        return r;
      }
    })));
};

routes.more = async () => {
  const me = await loadMe();
  if (!me) return;
  show(t('More'), h('ul', { class: 'list card more' },
    links().filter(([href]) => !['#/', '#/send', '#/pay'].includes(href)).map((l) => h('li', {}, navLink(l))),
    me.role !== 'merchant' ? h('li', {}, h('a', { href: '#/merchant', text: t('Register a shop') })) : null,
    h('li', {}, h('button', { class: 'link', type: 'button', text: t('Log out'), onclick: logout }))));
};

/* ---- Start --------------------------------------------------------------- */

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', route);
  document.addEventListener('DOMContentLoaded', () => {
    let saved = null;
    try { saved = localStorage.getItem('drop-lang'); } catch (e) { /* private mode */ }
    setLang(saved || ((navigator.language || 'nb').startsWith('en') ? 'en' : 'nb'));
    renderNav();
    route();
  });
}

/* For the unit tests (node --test tests/web/): the pure parts. */
if (typeof module !== 'undefined') {
  module.exports = { parseCsv, csvOre, parseAmount, oreToNumber, money, percent, rateText, day, accountText, dateToIso, shopId, t, failureText, consentNotice,
    setLangForTests: (l) => { state.lang = l; }, NB };
}
