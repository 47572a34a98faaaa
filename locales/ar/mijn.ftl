# مساري: الصفحة الخاصة بالشخص في مسار الاندماج. جمل قصيرة وكلمات بسيطة.

page-title = مساري
language-label = اللغة
intro = هذه صفحتك الخاصة. هنا ترى ساعاتك وأين تشارك.
private-note = هذا الرابط لك وحدك. لا تعطه لأحد.

progress-heading = ساعاتك
progress-confirmed = لديك { $confirmed } من { $required }.
progress-pending = { $pending } ما زالت تنتظر التأكيد.
progress-remaining = بقي { $remaining }.
progress-done = لديك كل الساعات. أحسنت!
explain-confirmed = مؤكَّد: المنظمة تقول إن هذا صحيح.
explain-pending = في الانتظار: المنظمة لم تتحقق منه بعد.

certificate-heading = شهادتك
certificate-issued = حصلت على شهادتك في { $date }.
certificate-number = الرقم: { $number }
certificate-download = حمّل شهادتك (PDF)
certificate-none = ليست لديك شهادة بعد. ستحصل عليها عندما تكمل كل الساعات.

placements-heading = أين تشارك
placements-none = أنت لا تشارك في أي مكان بعد. مرشدك يبحث معك عن مكان.
placement-kind = النوع
placement-where = أين
placement-when = متى
placement-period = من { $from } إلى { $to }
placement-status = الحالة
where-unknown = اسأل مرشدك عن العنوان.

kind-buddy = رفيق (بادي)
kind-stage = تدريب عملي
kind-vrijwilligerswerk = عمل تطوعي
kind-taalstage = تدريب لغوي

status-gepland = مخطط له
status-lopend = جارٍ
status-afgerond = انتهى
status-geannuleerd = توقف

hours-confirmed = مؤكَّد
hours-pending = في الانتظار

entries-heading = ساعاتك حسب اليوم
entries-none = لا توجد ساعات بعد.
col-date = التاريخ
col-where = أين
col-hours = الساعات
col-status = الحالة
entry-bevestigd = مؤكَّد
entry-ingediend = في الانتظار
entry-afgewezen = غير مقبول

help = هل لديك سؤال؟ أو هناك شيء غير صحيح؟ اسأل مرشدك.
footer = Veertig · مسار المشاركة وبناء العلاقات، الاندماج المدني

link-invalid-title = هذا الرابط لا يعمل
link-invalid-text = هذا الرابط لا يعمل (بعد الآن). اطلب من مرشدك رابطًا جديدًا.

# The noun after a number takes the form of the number's plural category (CLDR: zero, one,
# two, few for 3–10, many for 11–99, other): ساعة واحدة، ساعتان، 5 ساعات، 11 ساعة.
duration-hours-minutes = { $hours ->
        [zero] { $hours } ساعة
        [one] ساعة واحدة
        [two] ساعتان
        [few] { $hours } ساعات
        [many] { $hours } ساعة
       *[other] { $hours } ساعة
    } و{ $minutes ->
        [zero] { $minutes } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $minutes } دقائق
        [many] { $minutes } دقيقة
       *[other] { $minutes } دقيقة
    }
duration-hours = { $hours ->
        [zero] { $hours } ساعة
        [one] ساعة واحدة
        [two] ساعتان
        [few] { $hours } ساعات
        [many] { $hours } ساعة
       *[other] { $hours } ساعة
    }
duration-minutes = { $minutes ->
        [zero] { $minutes } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $minutes } دقائق
        [many] { $minutes } دقيقة
       *[other] { $minutes } دقيقة
    }

# الإبلاغ عن الساعات بنفسك وإرسال صورة ورقة المشاركة الموقّعة.
form-error-heading = هناك شيء غير صحيح
error-prefix = خطأ:
report-heading = الإبلاغ عن الساعات
report-intro = هل شاركت؟ أبلغ عن ساعاتك هنا. ستراجعها المؤسسة.
report-none = لا يمكنك الإبلاغ عن ساعات الآن. اسأل مرشدك.
report-date = التاريخ
report-date-hint = مثلًا 23/11/2026. ليس في المستقبل.
report-placement = أين
report-duration = كم من الوقت
report-duration-hint = مثلًا 2u30 أو 2:30 أو 2,5. 12 ساعة في اليوم على الأكثر.
report-submit = أبلغ عن الساعات
report-done = شكرًا. تم الإبلاغ عن ساعاتك. يجب أن تؤكدها المؤسسة.
report-error-date = اكتب تاريخًا، مثلًا 23/11/2026.
report-error-future = { $date } في المستقبل. أبلغ عن الساعات بعد أن تقوم بها فقط.
report-error-before-start = { $date } قبل البداية ({ $start }).
report-error-after-end = { $date } بعد النهاية ({ $end }).
report-error-day-limit = في { $date } يوجد بالفعل { $already }. لا يمكن أكثر من 12 ساعة في يوم واحد.
report-error-too-long = 12 ساعة في اليوم على الأكثر. اكتب أقل.
report-error-duration = اكتب كم من الوقت، مثلًا 2u30 أو 2,5.
report-error-closed = لا يمكن إضافة ساعات هنا بعد الآن. اسأل مرشدك.
report-error-placement = اختر أين شاركت.
report-error-too-many = لقد أبلغت كثيرًا في هذه الساعة. حاول مرة أخرى لاحقًا.
upload-heading = صورة الورقة الموقّعة
upload-intro = التقط صورة لورقة المشاركة الموقّعة وأرسلها هنا.
upload-file = صورة أو PDF
upload-file-hint = صورة (JPEG أو PNG) أو ملف PDF، 5 ميغابايت على الأكثر.
upload-submit = أرسل الصورة
upload-done = شكرًا. تم حفظ صورتك. يستطيع مرشدك أن يراها.
upload-error-empty = اختر صورة أو ملف PDF.
upload-error-too-large = الملف أكبر من 5 ميغابايت. التقط صورة أصغر.
upload-error-type = هذا ليس صورة ولا PDF. أرسل JPEG أو PNG أو PDF.
