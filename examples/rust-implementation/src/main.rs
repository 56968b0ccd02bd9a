//! The backend: it reads `PORT`, `DATABASE_URL`, `REDIS_HOST`,
//! `REDIS_PORT`, `JWT_SECRET` and `CORS_ORIGIN` from its environment, as
//! the contract says. (Here it is the reference implementation.)

fn main() -> std::process::ExitCode {
    reference_server::main_entry(std::env::args().collect())
}
