use std::io::IsTerminal;

fn main() {
    let terminals = rdma_setup::app::Terminals {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    let interrupt = match rdma_setup::interrupt::Interrupt::install() {
        Ok(interrupt) => Some(interrupt),
        Err(error) => {
            eprintln!("rdma-setup: Ctrl-C will not print a partial report: {error}");
            None
        }
    };
    // stderr stays unlocked: host threads log to it (-v) while the run is under way.
    let execution = rdma_setup::app::execute_interruptible(
        std::env::args_os(),
        terminals,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr(),
        interrupt.as_ref(),
    );
    std::process::exit(execution.exit_code);
}
