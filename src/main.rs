use clap::Parser;

fn main() {
    let cli = express_harden::cli::Cli::parse();
    std::process::exit(express_harden::cli::main_with(cli));
}
