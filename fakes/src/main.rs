//! `provider-fakes [PORT]`: the four provider fakes on loopback, Cal.com on PORT, Aurinko
//! on PORT+1, Jicoo on PORT+2, Vyte on PORT+3 (default 8090; 0 picks free ports). For
//! `make demo` and the end-to-end tests; never a real provider. Each fake accepts only the
//! key in the variable booking-proxy's demo config names (`CALCOM_API_KEY`, …). With
//! `FAKES_PRINT_CALLS=1` each request is printed as `call NAME METHOD PATH`, for the
//! end-to-end tests to check which calls a provider received.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::Router;
use provider_fakes::aurinko::Aurinko;
use provider_fakes::calcom::Calcom;
use provider_fakes::jicoo::Jicoo;
use provider_fakes::vyte::Vyte;
use provider_fakes::{Control, Fault, FaultKind};

fn key(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| format!("demo-{name}"))
}

/// `FAKES_SLOW_FIRST_POST_MS`: each fake's first POST waits that long before it is handled
/// (an end-to-end test keeps a booking in flight with it).
fn slow_first_post() -> Option<Fault> {
    let ms: u64 = std::env::var("FAKES_SLOW_FIRST_POST_MS")
        .ok()?
        .parse()
        .ok()?;
    Some(Fault {
        kind: FaultKind::Slow(Duration::from_millis(ms)),
        method: Some(Method::POST),
        times: Some(1),
    })
}

#[tokio::main]
async fn main() {
    let base: u16 = match std::env::args().nth(1).map(|p| p.parse()) {
        None => 8090,
        Some(Ok(port)) if port <= 65_000 => port,
        Some(_) => {
            eprintln!("usage: provider-fakes [PORT]  (0 picks free ports)");
            std::process::exit(2);
        }
    };
    let fakes: [(&str, Router); 4] = [
        ("calcom", Calcom::new(&key("CALCOM_API_KEY")).router()),
        ("aurinko", Aurinko::new(&key("AURINKO_API_KEY")).router()),
        ("jicoo", Jicoo::new(&key("JICOO_API_KEY")).router()),
        ("vyte", Vyte::new(&key("VYTE_API_KEY")).router()),
    ];
    let print = std::env::var("FAKES_PRINT_CALLS").is_ok_and(|v| v == "1");
    for (offset, (name, mut router)) in (0u16..).zip(fakes) {
        if print {
            router = router.layer(axum::middleware::from_fn(
                move |request: Request, next: Next| async move {
                    println!("call {name} {} {}", request.method(), request.uri().path());
                    next.run(request).await
                },
            ));
        }
        let port = if base == 0 { 0 } else { base + offset };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let control = Control::new();
        control.set_fault(slow_first_post());
        match provider_fakes::serve(router, control, addr).await {
            Ok(running) => println!("fake {name} {}", running.base_url),
            Err(error) => {
                eprintln!("provider-fakes: cannot listen on {addr}: {error}");
                std::process::exit(1);
            }
        }
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("provider-fakes: {error}");
    }
}
