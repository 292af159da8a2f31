//! Questions asked on a terminal, all through dialoguer. Callers check
//! `App::interactive` first: nothing here is ever reached from a script.

use anyhow::Result;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password};
use zeroize::Zeroizing;

use crate::key::{Role, Roles, validate_name};

/// Which roles the new key gets: at least one.
pub fn roles() -> Result<Roles> {
    let items: Vec<String> = Role::ALL
        .iter()
        .map(|role| format!("{:<13} {}", role.as_str(), role.title()))
        .collect();
    loop {
        let chosen = MultiSelect::with_theme(&ColorfulTheme::default())
            .with_prompt("Roles of the new key (space to select, enter to confirm)")
            .items(&items)
            .interact()?;
        if !chosen.is_empty() {
            return Ok(Roles::new(chosen.into_iter().map(|index| Role::ALL[index])));
        }
        eprintln!("Select at least one role.");
    }
}

/// The new key's name, with `default` offered.
pub fn name(default: &str) -> Result<String> {
    Ok(Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Name of the new key")
        .default(default.to_string())
        .validate_with(|name: &String| validate_name(name))
        .interact_text()?)
}

/// Yes or no, defaulting to no.
pub fn confirm(question: &str) -> Result<bool> {
    Ok(Confirm::with_theme(&ColorfulTheme::default())
        .with_prompt(question)
        .default(false)
        .interact()?)
}

/// A key typed or pasted without echo.
pub fn key_text() -> Result<Zeroizing<String>> {
    let text = Password::with_theme(&ColorfulTheme::default())
        .with_prompt("Key (input hidden)")
        .allow_empty_password(true)
        .interact()?;
    Ok(Zeroizing::new(text))
}
