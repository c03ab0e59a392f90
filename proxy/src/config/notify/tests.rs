use super::*;

#[test]
fn smtp_urls_say_how_the_connection_is_secured() {
    let base = Path::new("/etc/booking");
    assert_eq!(
        transport("smtp://mail.example.com", base),
        Ok(MailTransport::Smtp {
            host: "mail.example.com".into(),
            port: 587,
            starttls: true
        })
    );
    assert_eq!(
        transport("smtp://127.0.0.1:2525?tls=none", base),
        Ok(MailTransport::Smtp {
            host: "127.0.0.1".into(),
            port: 2525,
            starttls: false
        })
    );
    assert_eq!(
        transport("smtps://mail.example.com", base),
        Ok(MailTransport::Smtps {
            host: "mail.example.com".into(),
            port: 465
        })
    );
    assert_eq!(
        transport("file://mail", base),
        Ok(MailTransport::File(PathBuf::from("/etc/booking/mail")))
    );
    assert_eq!(
        transport("file:///var/mail", base),
        Ok(MailTransport::File(PathBuf::from("/var/mail")))
    );
    for bad in [
        "smtps://mail.example.com?tls=none",
        "smtp://user:secret@mail.example.com",
        "smtp://mail.example.com?tls=maybe",
        "http://mail.example.com",
        "file://",
    ] {
        assert!(transport(bad, base).is_err(), "{bad}");
    }
}
