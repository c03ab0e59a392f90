//! `provider-fakes`: the four provider fakes on loopback ports, for `make demo` and the
//! cache benchmark. Each accepts only the key given in its `FAKE_*_KEY` variable.

use std::net::SocketAddr;

use provider_fakes::{calcom::Calcom, Control};

#[tokio::main]
async fn main() {
    let key = |name: &str| std::env::var(name).unwrap_or_else(|_| "fake-key".into());
    let port = |base: u16, offset: u16| SocketAddr::from(([127, 0, 0, 1], base + offset));
    let base: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8090);
    let calcom = Calcom::new(&key("FAKE_CALCOM_KEY"));
    match provider_fakes::serve(calcom.router(), Control::new(), port(base, 0)).await {
        Ok(running) => println!("fake Cal.com  {}", running.base_url),
        Err(error) => {
            eprintln!("provider-fakes: cannot listen on port {base}: {error}");
            std::process::exit(1);
        }
    }
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("provider-fakes: {error}");
    }
}
