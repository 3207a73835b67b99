fn main() -> std::process::ExitCode {
    crashlab::cli::main()
}
