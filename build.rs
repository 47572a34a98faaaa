// `sqlx::migrate!` embeds the migrations at compile time; without this a migration added or
// renamed after the last build would be missed (sqlx's documentation asks for this script).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
