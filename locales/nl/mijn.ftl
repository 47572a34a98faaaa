# Mijn traject: de pagina van de inburgeraar zelf. Korte zinnen, eenvoudige woorden.

page-title = Mijn traject
language-label = Taal
intro = Dit is uw eigen pagina. Hier ziet u uw uren en waar u meedoet.
private-note = Deze link is alleen voor u. Geef hem niet aan anderen.

progress-heading = Uw uren
progress-confirmed = U hebt { $confirmed } van de { $required }.
progress-pending = { $pending } wacht nog op bevestiging.
progress-remaining = Nog { $remaining } te gaan.
progress-done = U hebt alle uren. Goed gedaan!
explain-confirmed = Bevestigd: de organisatie zegt dat het klopt.
explain-pending = Wacht: de organisatie moet het nog nakijken.

certificate-heading = Uw certificaat
certificate-issued = U kreeg uw certificaat op { $date }.
certificate-number = Nummer: { $number }
certificate-download = Download uw certificaat (PDF)
certificate-none = U hebt nog geen certificaat. U krijgt het als u alle uren hebt.

placements-heading = Waar u meedoet
placements-none = U doet nog nergens mee. Uw begeleider zoekt samen met u een plaats.
placement-kind = Vorm
placement-where = Waar
placement-when = Wanneer
placement-period = { $from } tot { $to }
placement-status = Status
where-unknown = Vraag het adres aan uw begeleider.

kind-buddy = Buddy
kind-stage = Stage
kind-vrijwilligerswerk = Vrijwilligerswerk
kind-taalstage = Taalstage

status-gepland = Gepland
status-lopend = Bezig
status-afgerond = Klaar
status-geannuleerd = Gestopt

hours-confirmed = Bevestigd
hours-pending = Wacht

entries-heading = Uw uren per dag
entries-none = Er zijn nog geen uren.
col-date = Datum
col-where = Waar
col-hours = Uren
col-status = Status
entry-bevestigd = Bevestigd
entry-ingediend = Wacht
entry-afgewezen = Niet goedgekeurd

help = Hebt u een vraag? Of klopt er iets niet? Vraag het aan uw begeleider.
footer = Veertig · participatie- en netwerktraject inburgering

link-invalid-title = Deze link werkt niet
link-invalid-text = Deze link werkt niet (meer). Vraag uw begeleider om een nieuwe link.

duration-hours-minutes = { $hours } u { $minutes }
duration-hours = { $hours } u
duration-minutes = { $minutes } min

# Zelf uren melden en een foto van het getekende bewijs opladen.
form-error-heading = Er is iets niet goed
error-prefix = Fout:
report-heading = Uren melden
report-intro = Hebt u meegedaan? Meld hier uw uren. De organisatie kijkt ze na.
report-none = U kunt nu geen uren melden. Vraag het aan uw begeleider.
report-date = Datum
report-date-hint = Bijvoorbeeld 23/11/2026. Niet in de toekomst.
report-placement = Waar
report-duration = Hoe lang
report-duration-hint = Bijvoorbeeld 2u30, 2:30 of 2,5. Hoogstens 12 uur per dag.
report-submit = Uren melden
report-done = Bedankt. Uw uren zijn gemeld. De organisatie moet ze nog bevestigen.
report-error-date = Vul een datum in, bijvoorbeeld 23/11/2026.
report-error-future = { $date } is in de toekomst. Meld uren pas als u ze gedaan hebt.
report-error-before-start = { $date } is voor het begin ({ $start }).
report-error-after-end = { $date } is na het einde ({ $end }).
report-error-day-limit = Op { $date } staat al { $already }. Meer dan 12 uur op één dag kan niet.
report-error-too-long = Hoogstens 12 uur per dag. Vul minder in.
report-error-duration = Vul in hoe lang, bijvoorbeeld 2u30 of 2,5.
report-error-closed = Hier kunnen geen uren meer bij. Vraag het aan uw begeleider.
report-error-placement = Kies waar u meedeed.
report-error-too-many = U hebt dit uur al veel gemeld. Probeer het later opnieuw.
upload-heading = Foto van het getekende bewijs
upload-intro = Neem een foto van uw getekende bewijs van deelname en stuur hem hier.
upload-file = Foto of PDF
upload-file-hint = Een foto (JPEG of PNG) of een PDF, hoogstens 5 MB.
upload-submit = Foto sturen
upload-done = Bedankt. Uw foto is bewaard. Uw begeleider kan hem zien.
upload-error-empty = Kies een foto of een PDF.
upload-error-too-large = Het bestand is groter dan 5 MB. Neem een kleinere foto.
upload-error-type = Dit is geen foto of PDF. Stuur een JPEG, PNG of PDF.
