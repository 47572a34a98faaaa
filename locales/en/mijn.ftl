# My pathway: the newcomer's own page. Short sentences, simple words.

page-title = My pathway
language-label = Language
intro = This is your own page. Here you see your hours and where you take part.
private-note = This link is only for you. Do not give it to others.

progress-heading = Your hours
progress-confirmed = You have { $confirmed } of the { $required }.
progress-pending = { $pending } is still waiting for confirmation.
progress-remaining = { $remaining } to go.
progress-done = You have all your hours. Well done!
explain-confirmed = Confirmed: the organisation says it is correct.
explain-pending = Waiting: the organisation still has to check it.

certificate-heading = Your certificate
certificate-issued = You received your certificate on { $date }.
certificate-number = Number: { $number }
certificate-download = Download your certificate (PDF)
certificate-none = You do not have a certificate yet. You get it when you have all your hours.

placements-heading = Where you take part
placements-none = You do not take part anywhere yet. Your coach will look for a place with you.
placement-kind = Type
placement-where = Where
placement-when = When
placement-period = { $from } to { $to }
placement-status = Status
where-unknown = Ask your coach for the address.

kind-buddy = Buddy
kind-stage = Internship
kind-vrijwilligerswerk = Volunteering
kind-taalstage = Language internship

status-gepland = Planned
status-lopend = Ongoing
status-afgerond = Finished
status-geannuleerd = Stopped

hours-confirmed = Confirmed
hours-pending = Waiting

entries-heading = Your hours per day
entries-none = There are no hours yet.
col-date = Date
col-where = Where
col-hours = Hours
col-status = Status
entry-bevestigd = Confirmed
entry-ingediend = Waiting
entry-afgewezen = Not approved

help = Do you have a question? Or is something wrong? Ask your coach.
footer = Veertig · participation and network pathway, civic integration

link-invalid-title = This link does not work
link-invalid-text = This link does not work (anymore). Ask your coach for a new link.

duration-hours-minutes = { $hours } h { $minutes } min
duration-hours = { $hours } h
duration-minutes = { $minutes } min
