# مسیر من: صفحهٔ شخصی اشتراک‌کننده در پروگرام ادغام. جمله‌های کوتاه و کلمه‌های ساده.

page-title = مسیر من
language-label = زبان
intro = این صفحهٔ شخصی شماست. اینجا ساعت‌های خود و جایی که اشتراک می‌کنید را می‌بینید.
private-note = این لینک فقط برای شماست. آن را به دیگران ندهید.

progress-heading = ساعت‌های شما
progress-confirmed = شما { $confirmed } از { $required } را دارید.
progress-pending = { $pending } هنوز منتظر تأیید است.
progress-remaining = { $remaining } باقی مانده است.
progress-done = شما همهٔ ساعت‌ها را دارید. آفرین!
explain-confirmed = تأیید شده: مؤسسه می‌گوید درست است.
explain-pending = در انتظار: مؤسسه هنوز باید آن را بررسی کند.

certificate-heading = تصدیق‌نامهٔ شما
certificate-issued = شما تصدیق‌نامهٔ خود را در { $date } گرفتید.
certificate-number = شماره: { $number }
certificate-download = تصدیق‌نامهٔ خود را دانلود کنید (PDF)
certificate-none = شما هنوز تصدیق‌نامه ندارید. وقتی همهٔ ساعت‌ها را داشته باشید، آن را می‌گیرید.

placements-heading = جایی که اشتراک می‌کنید
placements-none = شما هنوز در هیچ جایی اشتراک نمی‌کنید. رهنمای شما همراه شما یک جای پیدا می‌کند.
placement-kind = نوع
placement-where = کجا
placement-when = چه وقت
placement-period = از { $from } تا { $to }
placement-status = وضعیت
where-unknown = آدرس را از رهنمای خود بپرسید.

kind-buddy = همراه (بادی)
kind-stage = کارآموزی
kind-vrijwilligerswerk = کار داوطلبانه
kind-taalstage = کارآموزی زبان

status-gepland = پلان شده
status-lopend = جریان دارد
status-afgerond = تمام شده
status-geannuleerd = متوقف شده

hours-confirmed = تأیید شده
hours-pending = در انتظار

entries-heading = ساعت‌های شما به تفکیک روز
entries-none = هنوز ساعتی ثبت نشده است.
col-date = تاریخ
col-where = کجا
col-hours = ساعت‌ها
col-status = وضعیت
entry-bevestigd = تأیید شده
entry-ingediend = در انتظار
entry-afgewezen = قبول نشده

help = سؤالی دارید؟ یا چیزی درست نیست؟ از رهنمای خود بپرسید.
footer = Veertig · مسیر اشتراک و شبکه‌سازی، ادغام مدنی

link-invalid-title = این لینک کار نمی‌کند
link-invalid-text = این لینک (دیگر) کار نمی‌کند. از رهنمای خود یک لینک نو بخواهید.

duration-hours-minutes = { $hours } ساعت و { $minutes } دقیقه
duration-hours = { $hours } ساعت
duration-minutes = { $minutes } دقیقه
