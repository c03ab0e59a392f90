//! Every visible string, in one catalogue: en, de, fr, es, ja, ar (right to left).

use booking_wire::validate::FieldError;

#[cfg(feature = "manage")]
mod manage;
#[cfg(feature = "manage")]
pub use manage::{manage_strings, ManageStrings};

/// One language's strings. `{}` marks where a value goes.
pub struct Strings {
    pub lang: &'static str,
    pub loading: &'static str,
    pub choose_day: &'static str,
    pub prev_month: &'static str,
    pub next_month: &'static str,
    pub available: &'static str,
    pub times_heading: &'static str,
    pub n_times: &'static str,
    pub no_times: &'static str,
    pub nothing_free: &'static str,
    pub time_zone: &'static str,
    pub duration: &'static str,
    pub minutes: &'static str,
    pub clock: &'static str,
    pub your_details: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub back: &'static str,
    pub book: &'static str,
    pub booking: &'static str,
    pub confirmed: &'static str,
    pub pending: &'static str,
    pub your_time: &'static str,
    pub host_time: &'static str,
    pub where_: &'static str,
    pub add_to_calendar: &'static str,
    pub book_another: &'static str,
    pub slot_taken: &'static str,
    pub unreachable: &'static str,
    pub retry: &'static str,
    pub fix_fields: &'static str,
    pub required: &'static str,
    pub invalid_email: &'static str,
    pub invalid_phone: &'static str,
    pub invalid_url: &'static str,
    pub invalid_number: &'static str,
    pub not_an_option: &'static str,
    pub too_long: &'static str,
    pub invalid: &'static str,
    pub manage: &'static str,
    pub manage_hint: &'static str,
}

static CATALOGUE: [Strings; 6] = [
    Strings {
        lang: "en", loading: "Loading…", choose_day: "Choose a day", prev_month: "Previous month",
        next_month: "Next month", available: "available", times_heading: "Times on {}",
        n_times: "{} times available", no_times: "No times on this day.",
        nothing_free: "Nothing is free in the coming months. Please check back later.",
        time_zone: "Time zone", duration: "Duration", minutes: "{} min", clock: "24-hour clock",
        your_details: "Your details", name: "Name", email: "Email", back: "Back", book: "Book",
        booking: "Booking…", confirmed: "You're booked", pending: "Requested: the host will confirm",
        your_time: "Your time", host_time: "Host's time", where_: "Where",
        add_to_calendar: "Add to calendar", book_another: "Book another time",
        slot_taken: "That time was just taken. Please pick another; your answers are kept.",
        unreachable: "Could not reach the booking service.", retry: "Try again",
        fix_fields: "Please correct the marked fields.", required: "This field is required.",
        invalid_email: "Enter a valid email address.", invalid_phone: "Enter a valid phone number.",
        invalid_url: "Enter a web address starting with https://", invalid_number: "Enter a number.",
        not_an_option: "Choose one of the options.", too_long: "Use at most {} characters.",
        invalid: "Check this value.",
        manage: "Manage your booking", manage_hint: "Keep this link to reschedule or cancel.",
    },
    Strings {
        lang: "de", loading: "Wird geladen…", choose_day: "Tag wählen", prev_month: "Vorheriger Monat",
        next_month: "Nächster Monat", available: "verfügbar", times_heading: "Zeiten am {}",
        n_times: "{} Zeiten verfügbar", no_times: "An diesem Tag gibt es keine Zeiten.",
        nothing_free: "In den nächsten Monaten ist nichts frei. Bitte später erneut versuchen.",
        time_zone: "Zeitzone", duration: "Dauer", minutes: "{} Min.", clock: "24-Stunden-Format",
        your_details: "Ihre Angaben", name: "Name", email: "E-Mail", back: "Zurück", book: "Buchen",
        booking: "Wird gebucht…", confirmed: "Ihr Termin ist gebucht",
        pending: "Angefragt: der Gastgeber bestätigt noch", your_time: "Ihre Zeit",
        host_time: "Zeit des Gastgebers", where_: "Ort", add_to_calendar: "Zum Kalender hinzufügen",
        book_another: "Weitere Zeit buchen",
        slot_taken: "Diese Zeit wurde gerade vergeben. Bitte eine andere wählen; Ihre Angaben bleiben erhalten.",
        unreachable: "Der Buchungsdienst ist nicht erreichbar.", retry: "Erneut versuchen",
        fix_fields: "Bitte die markierten Felder korrigieren.", required: "Dieses Feld ist erforderlich.",
        invalid_email: "Bitte eine gültige E-Mail-Adresse eingeben.",
        invalid_phone: "Bitte eine gültige Telefonnummer eingeben.",
        invalid_url: "Bitte eine Adresse mit https:// eingeben.", invalid_number: "Bitte eine Zahl eingeben.",
        not_an_option: "Bitte eine der Optionen wählen.", too_long: "Höchstens {} Zeichen.",
        invalid: "Bitte diesen Wert prüfen.", manage: "Buchung verwalten",
        manage_hint: "Mit diesem Link können Sie verschieben oder stornieren.",
    },
    Strings {
        lang: "fr", loading: "Chargement…", choose_day: "Choisissez un jour", prev_month: "Mois précédent",
        next_month: "Mois suivant", available: "disponible", times_heading: "Horaires le {}",
        n_times: "{} horaires disponibles", no_times: "Aucun horaire ce jour-là.",
        nothing_free: "Rien n'est libre dans les prochains mois. Revenez plus tard.",
        time_zone: "Fuseau horaire", duration: "Durée", minutes: "{} min", clock: "Format 24 h",
        your_details: "Vos coordonnées", name: "Nom", email: "E-mail", back: "Retour", book: "Réserver",
        booking: "Réservation…", confirmed: "C'est réservé", pending: "Demandé : l'hôte doit confirmer",
        your_time: "Votre heure", host_time: "Heure de l'hôte", where_: "Lieu",
        add_to_calendar: "Ajouter au calendrier", book_another: "Réserver un autre horaire",
        slot_taken: "Cet horaire vient d'être pris. Choisissez-en un autre ; vos réponses sont conservées.",
        unreachable: "Le service de réservation est injoignable.", retry: "Réessayer",
        fix_fields: "Corrigez les champs signalés.", required: "Ce champ est obligatoire.",
        invalid_email: "Saisissez une adresse e-mail valide.", invalid_phone: "Saisissez un numéro valide.",
        invalid_url: "Saisissez une adresse commençant par https://", invalid_number: "Saisissez un nombre.",
        not_an_option: "Choisissez une des options.", too_long: "{} caractères au maximum.",
        invalid: "Vérifiez cette valeur.", manage: "Gérer votre réservation",
        manage_hint: "Gardez ce lien pour reprogrammer ou annuler.",
    },
    Strings {
        lang: "es", loading: "Cargando…", choose_day: "Elige un día", prev_month: "Mes anterior",
        next_month: "Mes siguiente", available: "disponible", times_heading: "Horarios el {}",
        n_times: "{} horarios disponibles", no_times: "No hay horarios este día.",
        nothing_free: "No hay nada libre en los próximos meses. Vuelve más tarde.",
        time_zone: "Zona horaria", duration: "Duración", minutes: "{} min", clock: "Formato 24 h",
        your_details: "Tus datos", name: "Nombre", email: "Correo electrónico", back: "Atrás",
        book: "Reservar", booking: "Reservando…", confirmed: "Reserva confirmada",
        pending: "Solicitada: el anfitrión la confirmará", your_time: "Tu hora",
        host_time: "Hora del anfitrión", where_: "Dónde", add_to_calendar: "Añadir al calendario",
        book_another: "Reservar otro horario",
        slot_taken: "Ese horario se acaba de ocupar. Elige otro; tus respuestas se conservan.",
        unreachable: "No se pudo contactar con el servicio de reservas.", retry: "Reintentar",
        fix_fields: "Corrige los campos marcados.", required: "Este campo es obligatorio.",
        invalid_email: "Introduce un correo válido.", invalid_phone: "Introduce un teléfono válido.",
        invalid_url: "Introduce una dirección que empiece por https://", invalid_number: "Introduce un número.",
        not_an_option: "Elige una de las opciones.", too_long: "Como máximo {} caracteres.",
        invalid: "Revisa este valor.",
        manage: "Gestionar tu reserva", manage_hint: "Guarda este enlace para cambiar o cancelar.",
    },
    Strings {
        lang: "ja", loading: "読み込み中…", choose_day: "日付を選択", prev_month: "前の月", next_month: "次の月",
        available: "空きあり", times_heading: "{}の時間", n_times: "{}件の時間が空いています",
        no_times: "この日は空きがありません。", nothing_free: "今後数か月は空きがありません。後でもう一度お試しください。",
        time_zone: "タイムゾーン", duration: "所要時間", minutes: "{}分", clock: "24時間表示",
        your_details: "お客様情報", name: "お名前", email: "メールアドレス", back: "戻る", book: "予約する",
        booking: "予約中…", confirmed: "予約が完了しました", pending: "リクエスト済み：主催者の確認待ち",
        your_time: "あなたの時間", host_time: "主催者の時間", where_: "場所",
        add_to_calendar: "カレンダーに追加", book_another: "別の時間を予約",
        slot_taken: "その時間はたった今埋まりました。別の時間を選んでください。入力内容は保持されます。",
        unreachable: "予約サービスに接続できませんでした。", retry: "再試行",
        fix_fields: "印の付いた項目を修正してください。", required: "この項目は必須です。",
        invalid_email: "有効なメールアドレスを入力してください。", invalid_phone: "有効な電話番号を入力してください。",
        invalid_url: "https:// で始まるアドレスを入力してください。", invalid_number: "数値を入力してください。",
        not_an_option: "選択肢から選んでください。", too_long: "{}文字以内で入力してください。",
        invalid: "この値を確認してください。", manage: "予約を管理",
        manage_hint: "変更・キャンセルにはこのリンクをお使いください。",
    },
    Strings {
        lang: "ar", loading: "جارٍ التحميل…", choose_day: "اختر يومًا", prev_month: "الشهر السابق",
        next_month: "الشهر التالي", available: "متاح", times_heading: "المواعيد يوم {}",
        n_times: "{} مواعيد متاحة", no_times: "لا توجد مواعيد في هذا اليوم.",
        nothing_free: "لا توجد مواعيد متاحة في الأشهر القادمة. يرجى المحاولة لاحقًا.",
        time_zone: "المنطقة الزمنية", duration: "المدة", minutes: "{} دقيقة", clock: "نظام 24 ساعة",
        your_details: "بياناتك", name: "الاسم", email: "البريد الإلكتروني", back: "رجوع", book: "احجز",
        booking: "جارٍ الحجز…", confirmed: "تم الحجز", pending: "تم الطلب: سيؤكد المضيف",
        your_time: "وقتك", host_time: "وقت المضيف", where_: "المكان", add_to_calendar: "أضف إلى التقويم",
        book_another: "احجز وقتًا آخر",
        slot_taken: "تم حجز هذا الوقت للتو. يرجى اختيار وقت آخر؛ إجاباتك محفوظة.",
        unreachable: "تعذر الوصول إلى خدمة الحجز.", retry: "أعد المحاولة",
        fix_fields: "يرجى تصحيح الحقول المحددة.", required: "هذا الحقل مطلوب.",
        invalid_email: "أدخل بريدًا إلكترونيًا صالحًا.", invalid_phone: "أدخل رقم هاتف صالحًا.",
        invalid_url: "أدخل عنوانًا يبدأ بـ https://", invalid_number: "أدخل رقمًا.",
        not_an_option: "اختر أحد الخيارات.", too_long: "{} حرفًا على الأكثر.", invalid: "تحقق من هذه القيمة.",
        manage: "إدارة حجزك", manage_hint: "احتفظ بهذا الرابط لتغيير الموعد أو الإلغاء.",
    },
];

/// The strings for a BCP 47 tag (`de-AT` → German); English when the language is missing.
pub fn strings(locale: &str) -> &'static Strings {
    let lang = locale
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    CATALOGUE
        .iter()
        .find(|s| s.lang == lang)
        .unwrap_or(&CATALOGUE[0])
}

pub fn is_rtl(locale: &str) -> bool {
    strings(locale).lang == "ar"
}

/// Puts `value` where the template has `{}` (the catalogue has no other `{`). Split at a
/// char rather than replacing the string "{}": a string pattern brings a substring
/// searcher into the wasm (docs/size.md, S12).
pub fn fill(template: &str, value: impl std::fmt::Display) -> String {
    match template.split_once('{') {
        Some((before, after)) => {
            let mut out = before.to_owned();
            out.push_str(&value.to_string());
            out.push_str(after.strip_prefix('}').unwrap_or(after));
            out
        }
        None => template.to_owned(),
    }
}

/// The visitor's message for a validation error (the proxy's rule, our language).
pub fn field_error(s: &Strings, error: &FieldError) -> String {
    match error {
        FieldError::Required => s.required.into(),
        FieldError::InvalidEmail => s.invalid_email.into(),
        FieldError::InvalidPhone => s.invalid_phone.into(),
        FieldError::InvalidUrl => s.invalid_url.into(),
        FieldError::InvalidNumber => s.invalid_number.into(),
        FieldError::NotAnOption => s.not_an_option.into(),
        FieldError::TooLong { max } => fill(s.too_long, max),
        _ => s.invalid.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_wire::validate::FieldError;

    #[test]
    fn validation_messages_come_from_the_shared_rules_in_the_visitors_language() {
        let de = strings("de-AT");
        assert_eq!(de.lang, "de");
        assert_eq!(
            field_error(de, &FieldError::Required),
            "Dieses Feld ist erforderlich."
        );
        assert_eq!(
            field_error(strings("fr"), &FieldError::TooLong { max: 500 }),
            "500 caractères au maximum."
        );
        assert_eq!(strings("xx").lang, "en");
        assert!(is_rtl("ar-EG") && !is_rtl("en"));
        let email = booking_wire::validate::check_email("a@b", true);
        assert_eq!(email, Err(FieldError::InvalidEmail));
    }

    /// `fill` splits at the first `{`: every template of every language has its one `{}` and
    /// no other brace, and the value lands where the `{}` was.
    #[test]
    fn every_language_fills_its_blanks_in_place() {
        for lang in ["en", "de", "fr", "es", "ja", "ar"] {
            let s = strings(lang);
            assert_eq!(s.lang, lang);
            for template in [s.times_heading, s.n_times, s.minutes, s.too_long] {
                assert_eq!(template.matches("{}").count(), 1, "{lang}: {template}");
                assert_eq!(
                    template.matches(['{', '}']).count(),
                    2,
                    "{lang}: {template}"
                );
                let (before, after) = template.split_once("{}").unwrap();
                assert_eq!(fill(template, 42), format!("{before}42{after}"));
            }
        }
        assert_eq!(fill("no blank", 1), "no blank");
    }
}
