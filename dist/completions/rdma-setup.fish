# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rdma_setup_global_optspecs
    string join \n node= cluster= save= proxy= netmask= dry-run check only= skip= replay= list-phases v/verbose q/quiet format= color= hostfile= rank0-ip= ssh-config= connect-timeout= command-timeout= lock-wait= accept-new-host-keys h/help V/version
end

function __fish_rdma_setup_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rdma_setup_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rdma_setup_using_subcommand
    set -l cmd (__fish_rdma_setup_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l node -d 'One end of a cable: SSH host, its Thunderbolt interface, the address to give it. Repeat for every end; two --node in the same subnet form one cable. Host order is the JACCL rank order' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l cluster -d 'Take the cluster from this file when no --node is given (default: ./rdma-cluster.toml, else ~/.config/rdma-setup/cluster.toml, when it exists). See --save' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l save -d 'Write the cluster of this command line\'s --node/--proxy/--netmask to FILE, as a cluster file, and exit without contacting any host' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l proxy -d 'Reach TARGET_HOST by running `ssh TARGET_HOST \'<command>\'` on PROXY_HOST. Repeatable' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l netmask -d 'Prefix length of every cable\'s subnet' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l only -d 'Run only these phases (comma-separated or repeated)' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l skip -d 'Skip these phases (comma-separated or repeated)' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l replay -d 'Run against a recorded scenario folder instead of SSH. Without --node, uses the command line recorded in the scenario' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l format -d 'The report\'s format: text for people, json for scripts (one JSON document on stdout, nothing else there; the schema is in the README)' -r -f -a "text\t''
json\t''"
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l color -d 'Colour the report: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l hostfile -d 'After a run that leaves every cable working, write the hostfile `mlx.launch --backend jaccl --hostfile FILE` reads (backend jaccl for a full mesh, jaccl-ring for a ring in rank order). Not written when anything failed' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l rank0-ip -d 'The address the other ranks reach rank 0 at (the first --node\'s host), for the hostfile\'s `ips`. Default: rank 0\'s HostName from the ssh config' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l ssh-config -d 'Read host aliases from this ssh config instead of ~/.ssh/config' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l connect-timeout -d 'Give up on a host that has not answered within this many seconds' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l command-timeout -d 'Give up on a remote command that runs longer than this many seconds' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l lock-wait -d 'When another rdma-setup run is changing a host, wait this many seconds for it to finish before giving up on that host (0: do not wait)' -r
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l dry-run -d 'Print every command instead of running it (hosts are assumed clean)'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l check -d 'Read everything, change nothing (no sudo): report what is right and what a run would change'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l list-phases -d 'List the phases in run order and exit'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -s v -l verbose -d 'Log what happens to stderr (-v), with every detail (-vv)'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -s q -l quiet -d 'Show only what failed or needs attention, and the summary'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -l accept-new-host-keys -d 'Trust and record the key of a host not yet in known_hosts (a changed key is always refused)'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -s V -l version -d 'Print version'
complete -c rdma-setup -n "__fish_rdma_setup_needs_command" -f -a "discover" -d 'Find the Thunderbolt cables between the Macs, plan one /30 per cable and write the cluster file a bare `rdma-setup` runs from. Reads only: no change, no sudo'
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -s o -l cluster -d 'Write the cluster file here' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l pool -d 'Plan each cable\'s /30 inside this network' -r
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l proxy -d 'Reach TARGET_HOST by running `ssh TARGET_HOST \'<command>\'` on PROXY_HOST. Repeatable; written to the cluster file' -r
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l ssh-config -d 'Read host aliases from this ssh config instead of ~/.ssh/config (written to the cluster file)' -r -F
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l connect-timeout -d 'Give up on a host that has not answered within this many seconds [default: 10]' -r
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l command-timeout -d 'Give up on a remote command that runs longer than this many seconds [default: 30]' -r
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l force -d 'Replace a cluster file that holds something else (the changes are shown either way)'
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -l accept-new-host-keys -d 'Trust and record the key of a host not yet in known_hosts (a changed key is always refused)'
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -s v -l verbose -d 'Log what happens to stderr (-v), with every detail (-vv)'
complete -c rdma-setup -n "__fish_rdma_setup_using_subcommand discover" -s h -l help -d 'Print help (see more with \'--help\')'
