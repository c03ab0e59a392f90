"""The notification tests' independent peers, on 127.0.0.1 only.

webhooks PORT LOG CONTROL: an HTTP receiver that checks each request's signature with the
Standard Webhooks reference library (secret in WEBHOOK_SECRET), appends one JSON line per
request to LOG, and answers what the file CONTROL says: a status code, or "hang" (no
answer for 30 s).

smtp LOG: an SMTP server (aiosmtpd) that parses each message as MIME and its calendar part
with the icalendar package, appending one JSON line per message to LOG.

Both print "listening PORT" once ready.

parse FILE...: each file (an .eml, as the file:// transport writes it) parsed the same
way, one JSON line per file on standard output.
"""

import email
import email.policy
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def append(log, record):
    with LOCK, open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def webhooks(port, log, control):
    from standardwebhooks.webhooks import Webhook

    verifier = Webhook(os.environ["WEBHOOK_SECRET"])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verifier.verify(body, headers)
                verified = True
            except Exception as e:  # the reference library's refusal
                verified = str(e) or type(e).__name__
            try:
                with open(control, encoding="utf-8") as f:
                    answer = f.read().strip() or "200"
            except FileNotFoundError:
                answer = "200"
            append(log, {
                "id": headers.get("webhook-id"),
                "timestamp": headers.get("webhook-timestamp"),
                "signature": headers.get("webhook-signature"),
                "content_type": headers.get("content-type"),
                "verified": verified,
                "answer": answer,
                "body": json.loads(body),
            })
            if answer == "hang":
                time.sleep(30)
                return
            self.send_response(int(answer))
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


def calendar_of(part):
    from icalendar import Calendar

    cal = Calendar.from_ical(part.get_payload(decode=True))
    events = [c for c in cal.walk("VEVENT")]
    ev = events[0]

    def when(name):
        value = ev.decoded(name)
        return value.isoformat() if value.tzinfo is not None else "floating:" + value.isoformat()

    def person(name):
        prop = ev.get(name)
        return {"value": str(prop), "cn": prop.params.get("CN")} if prop is not None else None

    return {
        "method": str(cal.get("METHOD")),
        "events": len(events),
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE")),
        "status": str(ev.get("STATUS")),
        "start": when("DTSTART"),
        "end": when("DTEND"),
        "stamp": when("DTSTAMP"),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION")),
        "location": str(ev.get("LOCATION")) if ev.get("LOCATION") is not None else None,
        "url": str(ev.get("URL")) if ev.get("URL") is not None else None,
        "organizer": person("ORGANIZER"),
        "attendees": [str(a) for a in (ev.get("ATTENDEE") if isinstance(ev.get("ATTENDEE"), list) else [ev.get("ATTENDEE")]) if a is not None],
        "attendee": person("ATTENDEE") if not isinstance(ev.get("ATTENDEE"), list) else None,
    }


def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    record = {
        "to": str(msg["To"]),
        "from": str(msg["From"]),
        "subject": str(msg["Subject"]),
        "message_id": str(msg["Message-ID"]),
        "header_names": [k.lower() for k in msg.keys()],
        "types": [],
        "text": None,
        "html": None,
        "calendar": None,
        "calendar_method_param": None,
        "attachment": None,
    }
    for part in msg.walk():
        ctype = part.get_content_type()
        record["types"].append(ctype)
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment":
            record["attachment"] = {"filename": part.get_filename(), "type": ctype,
                                    "calendar": calendar_of(part)}
        elif ctype == "text/plain":
            record["text"] = part.get_content()
        elif ctype == "text/html":
            record["html"] = part.get_content()
        elif ctype == "text/calendar":
            record["calendar"] = calendar_of(part)
            record["calendar_method_param"] = part.get_param("method")
    return record


def smtp(log):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            try:
                record = parse(envelope.content)
            except Exception as e:
                record = {"error": f"{type(e).__name__}: {e}"}
            record["rcpt"] = list(envelope.rcpt_tos)
            append(log, record)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening {port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    if sys.argv[1] == "webhooks":
        webhooks(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "parse":
        for path in sys.argv[2:]:
            with open(path, "rb") as f:
                print(json.dumps(parse(f.read())), flush=True)
    else:
        smtp(sys.argv[2])
