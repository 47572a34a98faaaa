# ናተይ ጉዕዞ: ናይቲ ተሳታፊ ናይ ባዕሉ ገጽ። ሓጸርቲ ምሉኣት ሓሳባትን ቀለልቲ ቃላትን።

page-title = ናተይ ጉዕዞ
language-label = ቋንቋ
intro = እዚ ናትኩም ገጽ እዩ። ኣብዚ ሰዓታትኩምን ኣበይ ከም እትሳተፉን ትርእዩ።
private-note = እዚ ሊንክ ንዓኹም ጥራይ እዩ። ንኻልኦት ኣይትሃብዎ።

progress-heading = ሰዓታትኩም
progress-confirmed = ካብ { $required } { $confirmed } ኣለኩም።
progress-pending = { $pending } ገና ምርግጋጽ ይጽበ ኣሎ።
progress-remaining = ገና { $remaining } ተሪፉ ኣሎ።
progress-done = ኩሉ ሰዓታት ኣለኩም። ይበል ዘብል እዩ!
explain-confirmed = ዝተረጋገጸ: እቲ ትካል ቅኑዕ እዩ ይብል።
explain-pending = ዝጽበ: እቲ ትካል ገና ክርእዮ ኣለዎ።

certificate-heading = ሰርቲፊኬትኩም
certificate-issued = ብ { $date } ሰርቲፊኬትኩም ተቐቢልኩም።
certificate-number = ቁጽሪ: { $number }
certificate-download = ሰርቲፊኬትኩም ኣውርዱ (PDF)
certificate-none = ገና ሰርቲፊኬት የብልኩምን። ኩሉ ሰዓታት ምስ ኣማላእኩም ክትረኽብዎ ኢኹም።

placements-heading = ኣበይ ትሳተፉ
placements-none = ገና ኣብ ዝኾነ ቦታ ኣይትሳተፉን ኢኹም። ኣማኻሪኹም ምሳኹም ቦታ ክደሊ እዩ።
placement-kind = ዓይነት
placement-where = ኣበይ
placement-when = መዓስ
placement-period = ካብ { $from } ክሳብ { $to }
placement-status = ኩነታት
where-unknown = ነቲ ኣድራሻ ንኣማኻሪኹም ሕተቱ።

kind-buddy = መሓዛ (ባዲ)
kind-stage = ልምምድ ስራሕ
kind-vrijwilligerswerk = ወለንታዊ ስራሕ
kind-taalstage = ልምምድ ቋንቋ

status-gepland = ዝተመደበ
status-lopend = ይቕጽል ኣሎ
status-afgerond = ተወዲኡ
status-geannuleerd = ደው ኢሉ

hours-confirmed = ዝተረጋገጸ
hours-pending = ዝጽበ

entries-heading = ሰዓታትኩም ብመዓልቲ
entries-none = ገና ሰዓታት የለን።
col-date = ዕለት
col-where = ኣበይ
col-hours = ሰዓታት
col-status = ኩነታት
entry-bevestigd = ዝተረጋገጸ
entry-ingediend = ዝጽበ
entry-afgewezen = ኣይተቐበልናዮን

help = ሕቶ ኣለኩም ድዩ? ወይ ዘይቅኑዕ ነገር ኣሎ ድዩ? ንኣማኻሪኹም ሕተቱ።
footer = Veertig · መደብ ተሳትፎን ርክብን፡ ምውህሃድ

link-invalid-title = እዚ ሊንክ ኣይሰርሕን እዩ
link-invalid-text = እዚ ሊንክ (ድሕሪ ሕጂ) ኣይሰርሕን እዩ። ሓድሽ ሊንክ ንኣማኻሪኹም ሕተቱ።

duration-hours-minutes = { $hours } ሰዓት { $minutes } ደቒቕ
duration-hours = { $hours } ሰዓት
duration-minutes = { $minutes } ደቒቕ

# ባዕልኹም ሰዓታት ምሕባርን ስእሊ ናይቲ ዝተፈረመ ወረቐት ምልኣኽን።
form-error-heading = ዘይቅኑዕ ነገር ኣሎ
error-prefix = ጌጋ:
report-heading = ሰዓታት ሓብሩ
report-intro = ተሳቲፍኩም ዶ? ሰዓታትኩም ኣብዚ ሓብሩ። እቲ ትካል ክርእዮ እዩ።
report-none = ሕጂ ሰዓታት ክትሕብሩ ኣይትኽእሉን ኢኹም። ንኣማኻሪኹም ሕተቱ።
report-date = ዕለት
report-date-hint = ንኣብነት 23/11/2026። ኣብ መጻኢ ኣይኹን።
report-placement = ኣበይ
report-duration = ክንደይ ግዜ
report-duration-hint = ንኣብነት 2u30፡ 2:30 ወይ 2,5። ብመዓልቲ ካብ 12 ሰዓት ኣይበዝሕ።
report-submit = ሰዓታት ሓብሩ
report-done = የቐንየልና። ሰዓታትኩም ተሓቢሩ ኣሎ። እቲ ትካል ገና ከረጋግጾ ኣለዎ።
report-error-date = ዕለት ጽሓፉ፡ ንኣብነት 23/11/2026።
report-error-future = { $date } ኣብ መጻኢ እዩ። ሰዓታት ድሕሪ ምግባርኩም ጥራይ ሓብሩ።
report-error-before-start = { $date } ቅድሚ እቲ መጀመርታ ({ $start }) እዩ።
report-error-after-end = { $date } ድሕሪ እቲ መወዳእታ ({ $end }) እዩ።
report-error-day-limit = ብ { $date } ድሮ { $already } ኣሎ። ኣብ ሓደ መዓልቲ ካብ 12 ሰዓት ንላዕሊ ኣይከኣልን።
report-error-too-long = ብመዓልቲ ካብ 12 ሰዓት ኣይበዝሕ። ዝወሓደ ጽሓፉ።
report-error-duration = ክንደይ ግዜ ምዃኑ ጽሓፉ፡ ንኣብነት 2u30 ወይ 2,5።
report-error-closed = ኣብዚ ተወሳኺ ሰዓታት ክእቶ ኣይክእልን። ንኣማኻሪኹም ሕተቱ።
report-error-placement = ኣበይ ከም ዝተሳተፍኩም ምረጹ።
report-error-too-many = ኣብዚ ሰዓት ብዙሕ ሓቢርኩም ኢኹም። ጸኒሕኩም እንደገና ፈትኑ።
upload-heading = ስእሊ ናይቲ ዝተፈረመ ወረቐት
upload-intro = ናይቲ ዝተፈረመ ወረቐት ተሳትፎኹም ስእሊ ኣልዕሉ እሞ ኣብዚ ስደዱ።
upload-file = ስእሊ ወይ PDF
upload-file-hint = ስእሊ (JPEG ወይ PNG) ወይ PDF፡ ካብ 5 MB ዘይበዝሕ።
upload-submit = ስእሊ ስደዱ
upload-done = የቐንየልና። ስእልኹም ተዓቂቡ ኣሎ። ኣማኻሪኹም ክርእዮ ይኽእል እዩ።
upload-error-empty = ስእሊ ወይ PDF ምረጹ።
upload-error-too-large = እቲ ፋይል ካብ 5 MB ይዓቢ። ዝነኣሰ ስእሊ ኣልዕሉ።
upload-error-type = እዚ ስእሊ ወይ PDF ኣይኮነን። JPEG፡ PNG ወይ PDF ስደዱ።
