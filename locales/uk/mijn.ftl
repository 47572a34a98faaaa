# Мій шлях: власна сторінка учасника програми інтеграції. Короткі речення, прості слова.

page-title = Мій шлях
language-label = Мова
intro = Це ваша власна сторінка. Тут ви бачите свої години і де ви берете участь.
private-note = Це посилання тільки для вас. Не давайте його іншим.

progress-heading = Ваші години
progress-confirmed = У вас { $confirmed } з { $required }.
progress-pending = { $pending } ще чекає на підтвердження.
progress-remaining = Залишилось { $remaining }.
progress-done = У вас усі години. Молодець!
explain-confirmed = Підтверджено: організація каже, що все правильно.
explain-pending = Чекає: організація ще має перевірити.

certificate-heading = Ваш сертифікат
certificate-issued = Ви отримали сертифікат { $date }.
certificate-number = Номер: { $number }
certificate-download = Завантажити сертифікат (PDF)
certificate-none = У вас ще немає сертифіката. Ви отримаєте його, коли будуть усі години.

placements-heading = Де ви берете участь
placements-none = Ви ще ніде не берете участі. Ваш консультант шукає місце разом з вами.
placement-kind = Форма
placement-where = Де
placement-when = Коли
placement-period = з { $from } до { $to }
placement-status = Стан
where-unknown = Запитайте адресу у вашого консультанта.

kind-buddy = Бадді (напарник)
kind-stage = Стажування
kind-vrijwilligerswerk = Волонтерство
kind-taalstage = Мовне стажування

status-gepland = Заплановано
status-lopend = Триває
status-afgerond = Завершено
status-geannuleerd = Зупинено

hours-confirmed = Підтверджено
hours-pending = Чекає

entries-heading = Ваші години по днях
entries-none = Годин ще немає.
col-date = Дата
col-where = Де
col-hours = Години
col-status = Стан
entry-bevestigd = Підтверджено
entry-ingediend = Чекає
entry-afgewezen = Не прийнято

help = Маєте запитання? Щось не так? Запитайте вашого консультанта.
footer = Veertig · програма участі та нетворкінгу, громадянська інтеграція

link-invalid-title = Це посилання не працює
link-invalid-text = Це посилання не працює (більше). Попросіть у консультанта нове посилання.

# Whole words, which take the form of the number's plural category (CLDR: one for 1, 21, …;
# few for 2–4, 22–24, …; many for 0, 5–20, …): 1 година, 2 години, 5 годин.
duration-hours-minutes = { $hours ->
        [one] { $hours } година
        [few] { $hours } години
        [many] { $hours } годин
       *[other] { $hours } години
    } { $minutes ->
        [one] { $minutes } хвилина
        [few] { $minutes } хвилини
        [many] { $minutes } хвилин
       *[other] { $minutes } хвилини
    }
duration-hours = { $hours ->
        [one] { $hours } година
        [few] { $hours } години
        [many] { $hours } годин
       *[other] { $hours } години
    }
duration-minutes = { $minutes ->
        [one] { $minutes } хвилина
        [few] { $minutes } хвилини
        [many] { $minutes } хвилин
       *[other] { $minutes } хвилини
    }

# Самостійно повідомити години й надіслати фото підписаного підтвердження.
form-error-heading = Щось не так
error-prefix = Помилка:
report-heading = Повідомити години
report-intro = Ви брали участь? Повідомте тут свої години. Організація їх перевірить.
report-none = Зараз ви не можете повідомити години. Запитайте свого консультанта.
report-date = Дата
report-date-hint = Наприклад 23/11/2026. Не в майбутньому.
report-placement = Де
report-duration = Скільки часу
report-duration-hint = Наприклад 2u30, 2:30 або 2,5. Не більше 12 годин на день.
report-submit = Повідомити години
report-done = Дякуємо. Ваші години повідомлено. Організація ще має їх підтвердити.
report-error-date = Вкажіть дату, наприклад 23/11/2026.
report-error-future = { $date } — це в майбутньому. Повідомляйте години лише після того, як ви їх відпрацювали.
report-error-before-start = { $date } — це до початку ({ $start }).
report-error-after-end = { $date } — це після завершення ({ $end }).
report-error-day-limit = На { $date } уже є { $already }. Більше 12 годин за один день не можна.
report-error-too-long = Не більше 12 годин на день. Вкажіть менше.
report-error-duration = Вкажіть, скільки часу, наприклад 2u30 або 2,5.
report-error-closed = Сюди більше не можна додати години. Запитайте свого консультанта.
report-error-placement = Виберіть, де ви брали участь.
report-error-too-many = Цієї години ви вже багато повідомили. Спробуйте пізніше.
upload-heading = Фото підписаного підтвердження
upload-intro = Сфотографуйте своє підписане підтвердження участі й надішліть його тут.
upload-file = Фото або PDF
upload-file-hint = Фото (JPEG або PNG) чи PDF, не більше 5 МБ.
upload-submit = Надіслати фото
upload-done = Дякуємо. Ваше фото збережено. Ваш консультант може його побачити.
upload-error-empty = Виберіть фото або PDF.
upload-error-too-large = Файл більший за 5 МБ. Зробіть менше фото.
upload-error-type = Це не фото і не PDF. Надішліть JPEG, PNG або PDF.
