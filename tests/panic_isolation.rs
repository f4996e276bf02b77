//! The engine catches hayagriva's panics without touching the process's
//! panic hook (a library must not, inside someone else's program); the
//! binary opts into silence with `isolate_panics`. In a test binary of its
//! own, since the hook is process-wide.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use refkeeper::csl::engine::{Engine, isolate_panics};

#[test]
fn the_library_leaves_the_panic_hook_to_its_host() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    // Rendering installs nothing: the host's hook is still the one in place.
    let engine = Engine::new("apa", None).unwrap();
    let _ = engine.render(&[]);
    let _ = std::panic::catch_unwind(|| panic!("the host's own panic"));
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the host's hook ran");

    // Opted in: panics outside a render still reach the host's hook.
    isolate_panics();
    let _ = std::panic::catch_unwind(|| panic!("another panic of the host"));
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    let _ = std::panic::take_hook();
}
