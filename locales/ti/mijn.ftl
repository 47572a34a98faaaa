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
