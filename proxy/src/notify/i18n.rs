//! The emails' words in six languages (English, German, French, Spanish, Japanese,
//! Arabic), chosen by the booking's locale; any other language gets English.

use chrono::{DateTime, Locale, Utc};
use chrono_tz::Tz;

/// One language's texts. `{name}` in `greeting` is the visitor's name.
pub struct Texts {
    pub lang: &'static str,
    pub rtl: bool,
    locale: Locale,
    /// chrono formats: a start, and an end on the same day.
    date: &'static str,
    time: &'static str,
    pub greeting: &'static str,
    // What happened, to the visitor.
    pub created: &'static str,
    pub pending: &'static str,
    pub rescheduled: &'static str,
    pub cancelled: &'static str,
    pub confirmed: &'static str,
    pub reminder: &'static str,
    // Subjects of the visitor's emails.
    pub subject_created: &'static str,
    pub subject_pending: &'static str,
    pub subject_rescheduled: &'static str,
    pub subject_cancelled: &'static str,
    pub subject_confirmed: &'static str,
    pub subject_reminder: &'static str,
    // Subjects and first lines of the host's copies.
    pub host_created: &'static str,
    pub host_pending: &'static str,
    pub host_rescheduled: &'static str,
    pub host_cancelled: &'static str,
    pub host_confirmed: &'static str,
    // Labels.
    pub when: &'static str,
    pub place: &'static str,
    pub reason: &'static str,
    pub notes: &'static str,
    pub guests: &'static str,
    pub booked_by: &'static str,
    pub manage: &'static str,
    pub manage_hint: &'static str,
    // The operator's reasons, said in this language.
    pub cancelled_by_host: &'static str,
    pub declined: &'static str,
}

const EN: Texts = Texts {
    lang: "en",
    rtl: false,
    locale: Locale::en_US,
    date: "%A, %B %-d, %Y, %-I:%M %p",
    time: "%-I:%M %p",
    greeting: "Hello {name},",
    created: "Your booking is confirmed.",
    pending: "We have your booking request. You will hear from us again once the host confirms it.",
    rescheduled: "Your booking has moved to a new time.",
    cancelled: "Your booking has been cancelled.",
    confirmed: "The host has confirmed your booking.",
    reminder: "A reminder: your booking is coming up.",
    subject_created: "Booking confirmed",
    subject_pending: "Booking request received",
    subject_rescheduled: "Booking moved",
    subject_cancelled: "Booking cancelled",
    subject_confirmed: "Booking confirmed",
    subject_reminder: "Reminder",
    host_created: "New booking",
    host_pending: "New booking request",
    host_rescheduled: "Booking moved",
    host_cancelled: "Booking cancelled",
    host_confirmed: "Booking confirmed",
    when: "When",
    place: "Where",
    reason: "Reason",
    notes: "Notes",
    guests: "Guests",
    booked_by: "Booked by",
    manage: "Manage your booking",
    manage_hint: "To change or cancel your booking, open this link:",
    cancelled_by_host: "The host cancelled this booking.",
    declined: "The host declined this booking request.",
};

const DE: Texts = Texts {
    lang: "de",
    rtl: false,
    locale: Locale::de_DE,
    date: "%A, %-d. %B %Y, %H:%M",
    time: "%H:%M",
    greeting: "Hallo {name},",
    created: "Ihre Buchung ist bestätigt.",
    pending: "Wir haben Ihre Buchungsanfrage erhalten. Sie hören wieder von uns, sobald der Gastgeber sie bestätigt.",
    rescheduled: "Ihre Buchung wurde auf einen neuen Termin verschoben.",
    cancelled: "Ihre Buchung wurde storniert.",
    confirmed: "Der Gastgeber hat Ihre Buchung bestätigt.",
    reminder: "Zur Erinnerung: Ihr Termin steht bevor.",
    subject_created: "Buchung bestätigt",
    subject_pending: "Buchungsanfrage erhalten",
    subject_rescheduled: "Buchung verschoben",
    subject_cancelled: "Buchung storniert",
    subject_confirmed: "Buchung bestätigt",
    subject_reminder: "Erinnerung",
    host_created: "Neue Buchung",
    host_pending: "Neue Buchungsanfrage",
    host_rescheduled: "Buchung verschoben",
    host_cancelled: "Buchung storniert",
    host_confirmed: "Buchung bestätigt",
    when: "Wann",
    place: "Wo",
    reason: "Grund",
    notes: "Notizen",
    guests: "Gäste",
    booked_by: "Gebucht von",
    manage: "Buchung verwalten",
    manage_hint: "Um Ihre Buchung zu ändern oder zu stornieren, öffnen Sie diesen Link:",
    cancelled_by_host: "Der Gastgeber hat diese Buchung storniert.",
    declined: "Der Gastgeber hat diese Buchungsanfrage abgelehnt.",
};

const FR: Texts = Texts {
    lang: "fr",
    rtl: false,
    locale: Locale::fr_FR,
    date: "%A %-d %B %Y, %H:%M",
    time: "%H:%M",
    greeting: "Bonjour {name},",
    created: "Votre réservation est confirmée.",
    pending: "Nous avons bien reçu votre demande de réservation. Vous aurez de nos nouvelles dès que l’hôte l’aura confirmée.",
    rescheduled: "Votre réservation a été déplacée à un nouvel horaire.",
    cancelled: "Votre réservation a été annulée.",
    confirmed: "L’hôte a confirmé votre réservation.",
    reminder: "Rappel : votre rendez-vous approche.",
    subject_created: "Réservation confirmée",
    subject_pending: "Demande de réservation reçue",
    subject_rescheduled: "Réservation déplacée",
    subject_cancelled: "Réservation annulée",
    subject_confirmed: "Réservation confirmée",
    subject_reminder: "Rappel",
    host_created: "Nouvelle réservation",
    host_pending: "Nouvelle demande de réservation",
    host_rescheduled: "Réservation déplacée",
    host_cancelled: "Réservation annulée",
    host_confirmed: "Réservation confirmée",
    when: "Quand",
    place: "Où",
    reason: "Motif",
    notes: "Notes",
    guests: "Invités",
    booked_by: "Réservé par",
    manage: "Gérer votre réservation",
    manage_hint: "Pour modifier ou annuler votre réservation, ouvrez ce lien :",
    cancelled_by_host: "L’hôte a annulé cette réservation.",
    declined: "L’hôte a refusé cette demande de réservation.",
};

const ES: Texts = Texts {
    lang: "es",
    rtl: false,
    locale: Locale::es_ES,
    date: "%A, %-d de %B de %Y, %H:%M",
    time: "%H:%M",
    greeting: "Hola, {name}:",
    created: "Tu reserva está confirmada.",
    pending: "Hemos recibido tu solicitud de reserva. Te escribiremos de nuevo cuando el anfitrión la confirme.",
    rescheduled: "Tu reserva se ha movido a un nuevo horario.",
    cancelled: "Tu reserva ha sido cancelada.",
    confirmed: "El anfitrión ha confirmado tu reserva.",
    reminder: "Recordatorio: tu cita se acerca.",
    subject_created: "Reserva confirmada",
    subject_pending: "Solicitud de reserva recibida",
    subject_rescheduled: "Reserva movida",
    subject_cancelled: "Reserva cancelada",
    subject_confirmed: "Reserva confirmada",
    subject_reminder: "Recordatorio",
    host_created: "Nueva reserva",
    host_pending: "Nueva solicitud de reserva",
    host_rescheduled: "Reserva movida",
    host_cancelled: "Reserva cancelada",
    host_confirmed: "Reserva confirmada",
    when: "Cuándo",
    place: "Dónde",
    reason: "Motivo",
    notes: "Notas",
    guests: "Invitados",
    booked_by: "Reservado por",
    manage: "Gestionar tu reserva",
    manage_hint: "Para cambiar o cancelar tu reserva, abre este enlace:",
    cancelled_by_host: "El anfitrión ha cancelado esta reserva.",
    declined: "El anfitrión ha rechazado esta solicitud de reserva.",
};

const JA: Texts = Texts {
    lang: "ja",
    rtl: false,
    locale: Locale::ja_JP,
    date: "%Y年%-m月%-d日(%a) %H:%M",
    time: "%H:%M",
    greeting: "{name} 様",
    created: "ご予約が確定しました。",
    pending: "ご予約のリクエストを受け付けました。主催者が確定しましたら、改めてお知らせします。",
    rescheduled: "ご予約の日時が変更されました。",
    cancelled: "ご予約はキャンセルされました。",
    confirmed: "主催者がご予約を確定しました。",
    reminder: "リマインダー：ご予約の日時が近づいています。",
    subject_created: "予約確定",
    subject_pending: "予約リクエスト受付",
    subject_rescheduled: "予約日時の変更",
    subject_cancelled: "予約キャンセル",
    subject_confirmed: "予約確定",
    subject_reminder: "リマインダー",
    host_created: "新しい予約",
    host_pending: "新しい予約リクエスト",
    host_rescheduled: "予約日時の変更",
    host_cancelled: "予約キャンセル",
    host_confirmed: "予約確定",
    when: "日時",
    place: "場所",
    reason: "理由",
    notes: "メモ",
    guests: "ゲスト",
    booked_by: "予約者",
    manage: "予約を管理",
    manage_hint: "予約の変更・キャンセルは次のリンクから行えます：",
    cancelled_by_host: "主催者がこの予約をキャンセルしました。",
    declined: "主催者がこの予約リクエストをお断りしました。",
};

const AR: Texts = Texts {
    lang: "ar",
    rtl: true,
    locale: Locale::ar_EG,
    date: "%A %-d %B %Y، %H:%M",
    time: "%H:%M",
    greeting: "مرحبًا {name}،",
    created: "تم تأكيد حجزك.",
    pending: "استلمنا طلب الحجز الخاص بك. سنراسلك مجددًا عندما يؤكده المضيف.",
    rescheduled: "تم نقل حجزك إلى موعد جديد.",
    cancelled: "تم إلغاء حجزك.",
    confirmed: "أكّد المضيف حجزك.",
    reminder: "تذكير: موعد حجزك يقترب.",
    subject_created: "تم تأكيد الحجز",
    subject_pending: "تم استلام طلب الحجز",
    subject_rescheduled: "تم نقل الحجز",
    subject_cancelled: "تم إلغاء الحجز",
    subject_confirmed: "تم تأكيد الحجز",
    subject_reminder: "تذكير",
    host_created: "حجز جديد",
    host_pending: "طلب حجز جديد",
    host_rescheduled: "تم نقل الحجز",
    host_cancelled: "تم إلغاء الحجز",
    host_confirmed: "تم تأكيد الحجز",
    when: "الموعد",
    place: "المكان",
    reason: "السبب",
    notes: "ملاحظات",
    guests: "الضيوف",
    booked_by: "صاحب الحجز",
    manage: "إدارة الحجز",
    manage_hint: "لتغيير حجزك أو إلغائه، افتح هذا الرابط:",
    cancelled_by_host: "ألغى المضيف هذا الحجز.",
    declined: "رفض المضيف طلب الحجز هذا.",
};

const ALL: [&Texts; 6] = [&EN, &DE, &FR, &ES, &JA, &AR];

/// The texts for a BCP 47 locale (`de-AT` → German), English when there are none.
pub fn texts(locale: Option<&str>) -> &'static Texts {
    let primary = locale
        .and_then(|l| l.split(['-', '_']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    ALL.into_iter().find(|t| t.lang == primary).unwrap_or(&EN)
}

impl Texts {
    /// `start – end (Zone/Name)` in `zone` (UTC if it is not a zone).
    pub fn span(&self, start: DateTime<Utc>, end: DateTime<Utc>, zone: &str) -> String {
        let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
        let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
        let end = if s.date_naive() == e.date_naive() {
            e.format_localized(self.time, self.locale).to_string()
        } else {
            e.format_localized(self.date, self.locale).to_string()
        };
        format!(
            "{} – {end} ({})",
            s.format_localized(self.date, self.locale),
            tz.name()
        )
    }

    /// The operator's reasons in this language; a visitor's own reason as written.
    pub fn reason_text<'a>(&'a self, reason: &'a str) -> &'a str {
        match reason {
            super::CANCELLED_BY_HOST => self.cancelled_by_host,
            super::DECLINED => self.declined,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_finds_its_language_and_any_other_falls_back_to_english() {
        for (locale, lang) in [
            (Some("de-AT"), "de"),
            (Some("FR"), "fr"),
            (Some("es_MX"), "es"),
            (Some("ja-JP"), "ja"),
            (Some("ar"), "ar"),
            (Some("en-GB"), "en"),
            (Some("pt-BR"), "en"),
            (Some(""), "en"),
            (None, "en"),
        ] {
            assert_eq!(texts(locale).lang, lang, "{locale:?}");
        }
        assert!(texts(Some("ar-EG")).rtl);
    }

    #[test]
    fn times_are_written_in_the_visitors_zone_and_language() {
        let start = "2026-11-23T13:00:00Z".parse().unwrap();
        let end = "2026-11-23T13:30:00Z".parse().unwrap();
        assert_eq!(
            texts(Some("en")).span(start, end, "America/New_York"),
            "Monday, November 23, 2026, 8:00 AM – 8:30 AM (America/New_York)"
        );
        assert_eq!(
            texts(Some("de")).span(start, end, "Europe/Berlin"),
            "Montag, 23. November 2026, 14:00 – 14:30 (Europe/Berlin)"
        );
        assert_eq!(
            texts(Some("ja")).span(start, end, "Asia/Tokyo"),
            "2026年11月23日(月) 22:00 – 22:30 (Asia/Tokyo)"
        );
        assert!(texts(Some("fr"))
            .span(start, end, "Europe/Paris")
            .starts_with("lundi 23 novembre 2026, 14:00"));
        assert!(texts(Some("es"))
            .span(start, end, "Europe/Madrid")
            .starts_with("lunes, 23 de noviembre de 2026, 14:00"));
        assert!(texts(Some("ar"))
            .span(start, end, "Africa/Cairo")
            .contains("نوفمبر"));
    }

    #[test]
    fn every_language_says_every_thing() {
        for t in ALL {
            let all = [
                t.greeting,
                t.created,
                t.pending,
                t.rescheduled,
                t.cancelled,
                t.confirmed,
                t.reminder,
                t.subject_created,
                t.subject_pending,
                t.subject_rescheduled,
                t.subject_cancelled,
                t.subject_confirmed,
                t.subject_reminder,
                t.host_created,
                t.host_pending,
                t.host_rescheduled,
                t.host_cancelled,
                t.host_confirmed,
                t.when,
                t.place,
                t.reason,
                t.notes,
                t.guests,
                t.booked_by,
                t.manage,
                t.manage_hint,
                t.cancelled_by_host,
                t.declined,
            ];
            assert!(all.iter().all(|s| !s.trim().is_empty()), "{}", t.lang);
            assert!(t.greeting.contains("{name}"), "{}", t.lang);
            if t.lang != "en" {
                assert_ne!(t.created, EN.created, "{}", t.lang);
            }
        }
    }
}
