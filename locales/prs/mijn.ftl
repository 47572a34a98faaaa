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

# گزارش ساعت‌ها توسط خود شما و فرستادن عکس ورقهٔ امضا شده.
form-error-heading = چیزی درست نیست
error-prefix = خطا:
report-heading = گزارش ساعت‌ها
report-intro = آیا اشتراک کردید؟ ساعت‌های خود را اینجا گزارش دهید. مؤسسه آن‌ها را بررسی می‌کند.
report-none = شما حالا نمی‌توانید ساعت گزارش دهید. از رهنمای خود بپرسید.
report-date = تاریخ
report-date-hint = مثلاً 23/11/2026. نه در آینده.
report-placement = کجا
report-duration = چقدر وقت
report-duration-hint = مثلاً 2u30 یا 2:30 یا 2,5. حداکثر 12 ساعت در یک روز.
report-submit = گزارش ساعت‌ها
report-done = تشکر. ساعت‌های شما گزارش شد. مؤسسه هنوز باید آن‌ها را تأیید کند.
report-error-date = یک تاریخ بنویسید، مثلاً 23/11/2026.
report-error-future = { $date } در آینده است. ساعت‌ها را فقط بعد از انجام دادن گزارش دهید.
report-error-before-start = { $date } پیش از شروع است ({ $start }).
report-error-after-end = { $date } بعد از پایان است ({ $end }).
report-error-day-limit = در { $date } از قبل { $already } ثبت است. بیشتر از 12 ساعت در یک روز ممکن نیست.
report-error-too-long = حداکثر 12 ساعت در یک روز. کمتر بنویسید.
report-error-duration = بنویسید چقدر وقت، مثلاً 2u30 یا 2,5.
report-error-closed = اینجا دیگر نمی‌شود ساعت اضافه کرد. از رهنمای خود بپرسید.
report-error-placement = انتخاب کنید کجا اشتراک کردید.
report-error-too-many = شما در این ساعت زیاد گزارش داده‌اید. بعداً دوباره کوشش کنید.
upload-heading = عکس ورقهٔ امضا شده
upload-intro = از ورقهٔ اشتراک امضا شدهٔ خود عکس بگیرید و آن را اینجا بفرستید.
upload-file = عکس یا PDF
upload-file-hint = یک عکس (JPEG یا PNG) یا یک PDF، حداکثر 5 MB.
upload-submit = فرستادن عکس
upload-done = تشکر. عکس شما ذخیره شد. رهنمای شما می‌تواند آن را ببیند.
upload-error-empty = یک عکس یا یک PDF انتخاب کنید.
upload-error-too-large = فایل بزرگ‌تر از 5 MB است. یک عکس کوچک‌تر بگیرید.
upload-error-type = این عکس یا PDF نیست. یک JPEG، PNG یا PDF بفرستید.
