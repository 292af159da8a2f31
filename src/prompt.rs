//! Questions asked on a terminal, all through dialoguer. Callers check
//! `App::interactive` first: nothing here is ever reached from a script.

use anyhow::Result;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect};
use zeroize::Zeroizing;

use crate::key::{Role, Roles, validate_name};

static COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether prompts are coloured, as `--color` and `NO_COLOR` decide for
/// stderr.
pub fn set_color(color: bool) {
    COLOR.store(color, std::sync::atomic::Ordering::Relaxed);
}

/// Coloured prompts, or plain ones whose multi-select shows the cursor as
/// `>` and the choices as `[x]`: the coloured theme marks the cursor with
/// colour alone, which vanishes without colour.
fn theme() -> Box<dyn Theme> {
    if COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

/// Ctrl-C in a prompt ends the process with exit code 130 and the cursor
/// shown again (dialoguer hides it), before anything has been changed:
/// every command asks its questions before it writes.
fn exit_on_interrupt() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    extern "C" fn on_interrupt(_: nix::libc::c_int) {
        // Only async-signal-safe calls here: write(2) and _exit(2).
        let restore = b"\x1b[?25h\n";
        unsafe {
            if let Some(echoing) = ECHOING.get() {
                nix::libc::tcsetattr(0, nix::libc::TCSANOW, echoing);
            }
            nix::libc::write(2, restore.as_ptr().cast(), restore.len());
            nix::libc::_exit(130);
        }
    }
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let action = SigAction::new(
            SigHandler::Handler(on_interrupt),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handler only calls async-signal-safe functions.
        let _ = unsafe { sigaction(Signal::SIGINT, &action) };
    });
}

/// Which roles the new key gets: at least one.
pub fn roles() -> Result<Roles> {
    exit_on_interrupt();
    let items: Vec<String> = Role::ALL
        .iter()
        .map(|role| format!("{:<13} {}", role.as_str(), role.title()))
        .collect();
    loop {
        let chosen = MultiSelect::with_theme(theme().as_ref())
            .with_prompt("Roles of the new key (space to select, enter to confirm)")
            .items(&items)
            .report(false)
            .interact()?;
        if !chosen.is_empty() {
            let roles = Roles::new(chosen.into_iter().map(|index| Role::ALL[index]));
            eprintln!("Roles: {roles}");
            return Ok(roles);
        }
        eprintln!("Select at least one role.");
    }
}

/// The new key's name, with `default` offered.
pub fn name(default: &str) -> Result<String> {
    exit_on_interrupt();
    Ok(Input::<String>::with_theme(theme().as_ref())
        .with_prompt("Name of the new key")
        .default(default.to_string())
        .validate_with(|name: &String| validate_name(name))
        .interact_text()?)
}

/// Yes or no, defaulting to no, answered with Enter as `apt` and `gh` ask
/// (a `y` alone would answer at once and leave the Enter typed after it to
/// the shell). The question must be short: a prompt wider than the
/// terminal wraps, and its redrawing would leave the first line behind, so
/// callers say the rest on lines of its own before asking.
pub fn confirm(question: &str) -> Result<bool> {
    exit_on_interrupt();
    Ok(Confirm::with_theme(theme().as_ref())
        .with_prompt(question)
        .default(false)
        .wait_for_newline(true)
        .interact()?)
}

/// The terminal's settings before echo was turned off, for the interrupt
/// handler to put back (tcsetattr is async-signal-safe).
static ECHOING: std::sync::OnceLock<nix::libc::termios> = std::sync::OnceLock::new();

/// A key typed or pasted without echo, at most `limit` bytes (None when
/// longer). Read with echo off straight into one buffer allocated at full
/// size and wiped when dropped (`process::read_secret_line`): a prompt
/// library's growing `String` would leave copies of the secret in memory
/// it gives back. The terminal's own line editing (backspace, Ctrl-U)
/// still works, and Ctrl-C puts echo back before exiting.
pub fn key_text(limit: usize) -> Result<Option<Zeroizing<Vec<u8>>>> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    exit_on_interrupt();
    let stdin = std::io::stdin();
    let echoing = tcgetattr(&stdin)?;
    let _ = ECHOING.set(echoing.clone().into());
    let mut quiet = echoing.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    // The Enter that ends the line still moves to the next one.
    quiet.local_flags.insert(LocalFlags::ECHONL);
    let prompt = if COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        "\x1b[1m? Key (input hidden) ›\x1b[0m "
    } else {
        "Key (input hidden): "
    };
    // Echo goes off before the question shows: nothing typed after it is
    // ever echoed, and nothing typed ahead is discarded (TCSANOW).
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet)?;
    eprint!("{prompt}");
    let read = crate::process::read_secret_line(&stdin, limit);
    tcsetattr(&stdin, SetArg::TCSANOW, &echoing)?;
    Ok(read?)
}
