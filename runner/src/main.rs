use std::io::IsTerminal;

fn main() {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let execution = rdma_setup::app::execute(
        std::env::args_os(),
        color,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(execution.exit_code);
}
