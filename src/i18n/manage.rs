//! The manage mode's strings (a booking moved or cancelled through its manage link), in
//! the same six languages: only the manage bundle carries them.

use super::strings;

/// One language's manage-mode strings.
pub struct ManageStrings {
    pub manage_title: &'static str,
    pub reschedule: &'static str,
    pub cancel_booking: &'static str,
    pub cancel_title: &'static str,
    pub reason: &'static str,
    pub cancelling: &'static str,
    pub is_cancelled: &'static str,
    pub is_past: &'static str,
    pub is_locked: &'static str,
    pub move_title: &'static str,
    pub new_time: &'static str,
    pub confirm_move: &'static str,
    pub moving: &'static str,
    pub current_time: &'static str,
    pub rescheduled: &'static str,
}

static MANAGE: [ManageStrings; 6] = [
    ManageStrings {
        manage_title: "Your booking",
        reschedule: "Reschedule",
        cancel_booking: "Cancel booking",
        cancel_title: "Cancel this booking?",
        reason: "Reason (optional)",
        cancelling: "Cancelling…",
        is_cancelled: "This booking is cancelled.",
        is_past: "This booking is over.",
        is_locked: "This booking can no longer be changed here.",
        move_title: "Move your booking?",
        new_time: "New time",
        confirm_move: "Move booking",
        moving: "Moving…",
        current_time: "Current time",
        rescheduled: "Your booking has moved",
    },
    ManageStrings {
        manage_title: "Ihre Buchung",
        reschedule: "Verschieben",
        cancel_booking: "Buchung stornieren",
        cancel_title: "Diese Buchung stornieren?",
        reason: "Grund (optional)",
        cancelling: "Wird storniert…",
        is_cancelled: "Diese Buchung ist storniert.",
        is_past: "Dieser Termin ist vorbei.",
        is_locked: "Diese Buchung kann hier nicht mehr geändert werden.",
        move_title: "Buchung verschieben?",
        new_time: "Neue Zeit",
        confirm_move: "Verschieben",
        moving: "Wird verschoben…",
        current_time: "Bisherige Zeit",
        rescheduled: "Ihre Buchung wurde verschoben",
    },
    ManageStrings {
        manage_title: "Votre réservation",
        reschedule: "Reprogrammer",
        cancel_booking: "Annuler la réservation",
        cancel_title: "Annuler cette réservation ?",
        reason: "Motif (facultatif)",
        cancelling: "Annulation…",
        is_cancelled: "Cette réservation est annulée.",
        is_past: "Ce rendez-vous est passé.",
        is_locked: "Cette réservation ne peut plus être modifiée ici.",
        move_title: "Déplacer votre réservation ?",
        new_time: "Nouvel horaire",
        confirm_move: "Déplacer",
        moving: "Déplacement…",
        current_time: "Horaire actuel",
        rescheduled: "Votre réservation a été déplacée",
    },
    ManageStrings {
        manage_title: "Tu reserva",
        reschedule: "Cambiar hora",
        cancel_booking: "Cancelar reserva",
        cancel_title: "¿Cancelar esta reserva?",
        reason: "Motivo (opcional)",
        cancelling: "Cancelando…",
        is_cancelled: "Esta reserva está cancelada.",
        is_past: "Esta cita ya pasó.",
        is_locked: "Esta reserva ya no se puede cambiar aquí.",
        move_title: "¿Mover tu reserva?",
        new_time: "Nueva hora",
        confirm_move: "Mover reserva",
        moving: "Moviendo…",
        current_time: "Hora actual",
        rescheduled: "Tu reserva se ha movido",
    },
    ManageStrings {
        manage_title: "ご予約",
        reschedule: "日時を変更",
        cancel_booking: "予約をキャンセル",
        cancel_title: "この予約をキャンセルしますか？",
        reason: "理由（任意）",
        cancelling: "キャンセル中…",
        is_cancelled: "この予約はキャンセルされました。",
        is_past: "この予約は終了しました。",
        is_locked: "この予約はここでは変更できません。",
        move_title: "予約を変更しますか？",
        new_time: "新しい日時",
        confirm_move: "変更する",
        moving: "変更中…",
        current_time: "現在の日時",
        rescheduled: "予約を変更しました",
    },
    ManageStrings {
        manage_title: "حجزك",
        reschedule: "تغيير الموعد",
        cancel_booking: "إلغاء الحجز",
        cancel_title: "هل تريد إلغاء هذا الحجز؟",
        reason: "السبب (اختياري)",
        cancelling: "جارٍ الإلغاء…",
        is_cancelled: "تم إلغاء هذا الحجز.",
        is_past: "انتهى موعد هذا الحجز.",
        is_locked: "لم يعد من الممكن تغيير هذا الحجز هنا.",
        move_title: "نقل حجزك؟",
        new_time: "الموعد الجديد",
        confirm_move: "انقل الحجز",
        moving: "جارٍ النقل…",
        current_time: "الموعد الحالي",
        rescheduled: "تم نقل حجزك",
    },
];

/// The manage strings for a BCP 47 tag, in the language `strings` picks.
pub fn manage_strings(locale: &str) -> &'static ManageStrings {
    let lang = strings(locale).lang;
    let at = ["en", "de", "fr", "es", "ja", "ar"]
        .iter()
        .position(|l| *l == lang)
        .unwrap_or(0);
    &MANAGE[at]
}
