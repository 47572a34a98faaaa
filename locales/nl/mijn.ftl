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
