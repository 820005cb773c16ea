fn main() {
    std::process::exit(express_harden::cli::main());
}
