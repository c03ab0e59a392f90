use super::*;

#[test]
fn field_kinds_are_read_and_written_by_their_wire_names() {
    for &kind in FieldKind::ALL {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        assert_eq!(serde_json::from_str::<FieldKind>(&json).unwrap(), kind);
    }
    let error = serde_json::from_str::<FieldKind>("\"date\"").unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`date`"), "{message}");
    for kind in FieldKind::ALL {
        assert!(
            message.contains(&format!("`{}`", kind.as_str())),
            "{message}"
        );
    }
}

#[test]
fn error_codes_are_read_and_written_by_their_wire_names() {
    for &code in ErrorCode::ALL {
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
        assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
    }
    // A newer proxy's code is not an error, only one this build does not know.
    let newer = serde_json::from_str::<ErrorCode>("\"quota_exceeded\"").unwrap();
    assert_eq!(newer, ErrorCode::Unknown);
    assert!(serde_json::from_str::<ErrorCode>("3").is_err());
}

#[test]
fn booking_statuses_are_named_as_serde_writes_them() {
    for &status in BookingStatus::ALL {
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, format!("\"{}\"", status.as_str()));
        assert_eq!(BookingStatus::from_name(status.as_str()), Some(status));
    }
    assert_eq!(BookingStatus::from_name("declined"), None);
}

#[test]
fn maps_are_json_objects_and_empty_ones_are_left_out() {
    let mut request: BookingRequest = serde_json::from_value(serde_json::json!({
        "start": "2026-03-02T09:00:00Z", "duration": 30, "time_zone": "UTC",
        "name": "Ada", "email": "ada@example.com",
        "fields": { "topic": "Pricing", "company": "Acme" },
    }))
    .unwrap();
    let keys: Vec<&str> = request.fields.keys().map(String::as_str).collect();
    assert_eq!(keys, ["company", "topic"]);
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(
        json["fields"],
        serde_json::json!({ "company": "Acme", "topic": "Pricing" })
    );

    request.fields.clear();
    let json = serde_json::to_value(&request).unwrap();
    assert!(json.get("fields").is_none(), "{json}");
    let back: BookingRequest = serde_json::from_value(json).unwrap();
    assert_eq!(back, request);

    let error = ApiError {
        code: ErrorCode::InvalidBooking,
        message: "Some fields need attention.".into(),
        fields: Some(Map::new()),
    };
    let json = serde_json::to_value(&error).unwrap();
    assert!(json.get("fields").is_none(), "{json}");
}

#[test]
fn field_values_are_read_by_their_json_type() {
    use serde_json::json;
    let read = serde_json::from_value::<FieldValue>;
    assert_eq!(read(json!(true)).unwrap(), FieldValue::Bool(true));
    assert_eq!(read(json!(3)).unwrap(), FieldValue::Number(3.0));
    assert_eq!(read(json!(-2)).unwrap(), FieldValue::Number(-2.0));
    assert_eq!(read(json!(2.5)).unwrap(), FieldValue::Number(2.5));
    assert_eq!(read(json!("x")).unwrap(), FieldValue::Text("x".into()));
    let list = FieldValue::List(vec!["a".into(), "b".into()]);
    assert_eq!(read(json!(["a", "b"])).unwrap(), list);
    assert_eq!(serde_json::to_value(&list).unwrap(), json!(["a", "b"]));
    for bad in [json!(null), json!({ "a": 1 }), json!([1])] {
        assert!(read(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn holds_and_the_booking_hold_read_and_write_as_the_api_says() {
    let request: HoldRequest = serde_json::from_value(serde_json::json!({
        "start": "2026-03-02T09:00:00Z", "duration": 30,
    }))
    .unwrap();
    assert_eq!(request.duration, 30);
    let hold: Hold = serde_json::from_value(serde_json::json!({
        "hold": "hd_abc", "expires_at": "2026-03-02T08:10:00Z",
    }))
    .unwrap();
    assert_eq!(hold.hold, "hd_abc");
    assert_eq!(
        serde_json::to_value(&hold).unwrap()["expires_at"],
        "2026-03-02T08:10:00Z"
    );

    let base = serde_json::json!({
        "start": "2026-03-02T09:00:00Z", "duration": 30, "time_zone": "UTC",
        "name": "Ada", "email": "ada@example.com",
    });
    let without: BookingRequest = serde_json::from_value(base.clone()).unwrap();
    assert_eq!(without.hold, None);
    assert!(serde_json::to_value(&without)
        .unwrap()
        .get("hold")
        .is_none());
    let mut held = base;
    held["hold"] = "hd_abc".into();
    let with: BookingRequest = serde_json::from_value(held).unwrap();
    assert_eq!(with.hold.as_deref(), Some("hd_abc"));
    assert_eq!(serde_json::to_value(&with).unwrap()["hold"], "hd_abc");
}
