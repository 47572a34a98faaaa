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

# Reporting your own hours and uploading a photo of the signed sheet.
form-error-heading = Something is not right
error-prefix = Error:
report-heading = Report hours
report-intro = Did you take part? Report your hours here. The organisation will check them.
report-none = You cannot report hours right now. Ask your coach.
report-date = Date
report-date-hint = For example 23/11/2026. Not in the future.
report-placement = Where
report-duration = How long
report-duration-hint = For example 2u30, 2:30 or 2,5. At most 12 hours a day.
report-submit = Report hours
report-done = Thank you. Your hours are reported. The organisation still has to confirm them.
report-error-date = Fill in a date, for example 23/11/2026.
report-error-future = { $date } is in the future. Report hours only after you did them.
report-error-before-start = { $date } is before the start ({ $start }).
report-error-after-end = { $date } is after the end ({ $end }).
report-error-day-limit = On { $date } there is already { $already }. More than 12 hours in one day is not possible.
report-error-too-long = At most 12 hours a day. Fill in less.
report-error-duration = Fill in how long, for example 2u30 or 2,5.
report-error-closed = No more hours can be added here. Ask your coach.
report-error-placement = Choose where you took part.
report-error-too-many = You have already reported a lot this hour. Try again later.
upload-heading = Photo of the signed sheet
upload-intro = Take a photo of your signed proof of participation and send it here.
upload-file = Photo or PDF
upload-file-hint = A photo (JPEG or PNG) or a PDF, at most 5 MB.
upload-submit = Send photo
upload-done = Thank you. Your photo is saved. Your coach can see it.
upload-error-empty = Choose a photo or a PDF.
upload-error-too-large = The file is larger than 5 MB. Take a smaller photo.
upload-error-type = This is not a photo or a PDF. Send a JPEG, PNG or PDF.
