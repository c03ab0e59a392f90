// A React 19 single-page app that embeds the widget as docs/frameworks.md shows, on one of
// two client-side routes.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

// docs/frameworks.md's example, as written there.
function BookCall({ user, onBooked }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    const created = (e) => onBooked(e.detail);
    el.addEventListener('booking:created', created);
    if (user) el.prefill({ name: user.name, email: user.email });
    return () => el.removeEventListener('booking:created', created);
  }, [user, onBooked]);
  return <booking-widget ref={ref} profile="intro" theme="auto" time-zone="Europe/Paris" />;
}

const USER = { name: 'Ada Lovelace', email: 'ada@example.com' };

function BookPage() {
  const [booked, setBooked] = useState(null);
  const [renders, setRenders] = useState(0);
  return (
    <section>
      <h1>Book a call</h1>
      <p id="booked">{booked ? `Booked ${booked.id}` : 'Not booked yet'}</p>
      <button id="rerender" type="button" onClick={() => setRenders(renders + 1)}>Drawn again {renders} times</button>
      {/* An inline arrow: every render passes a new one, as apps do. */}
      <BookCall user={USER} onBooked={(booking) => setBooked(booking)} />
    </section>
  );
}

function Home() {
  return (
    <section>
      <h1>Home</h1>
      <ul>{['Pricing', 'Security', 'Support'].map((t) => <li key={t}>{t}</li>)}</ul>
    </section>
  );
}

function App() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const back = () => setPath(window.location.pathname);
    window.addEventListener('popstate', back);
    return () => window.removeEventListener('popstate', back);
  }, []);
  const go = (to) => (e) => {
    e.preventDefault();
    window.history.pushState(null, '', to);
    setPath(to);
  };
  return (
    <>
      <nav>
        <a id="nav-home" href="/" onClick={go('/')}>Home</a>{' '}
        <a id="nav-book" href="/book" onClick={go('/book')}>Book</a>
      </nav>
      {path === '/book' ? <BookPage /> : <Home />}
    </>
  );
}

createRoot(document.getElementById('app')).render(<App />);
