complete -c rdma-setup -l node -d 'One end of a cable: SSH host, its Thunderbolt interface, the address to give it. Repeat for every end; two --node in the same subnet form one cable. Host order is the JACCL rank order' -r
complete -c rdma-setup -l cluster -d 'Take the cluster from this file when no --node is given (default: ./rdma-cluster.toml, else ~/.config/rdma-setup/cluster.toml, when it exists). See --save' -r -F
complete -c rdma-setup -l save -d 'Write the cluster of this command line\'s --node/--proxy/--netmask to FILE, as a cluster file, and exit without contacting any host' -r -F
complete -c rdma-setup -l proxy -d 'Reach TARGET_HOST by running `ssh TARGET_HOST \'<command>\'` on PROXY_HOST. Repeatable' -r
complete -c rdma-setup -l netmask -d 'Prefix length of every cable\'s subnet' -r
complete -c rdma-setup -l only -d 'Run only these phases (comma-separated or repeated)' -r
complete -c rdma-setup -l skip -d 'Skip these phases (comma-separated or repeated)' -r
complete -c rdma-setup -l replay -d 'Run against a recorded scenario folder instead of SSH. Without --node, uses the command line recorded in the scenario' -r -F
complete -c rdma-setup -l format -d 'The report\'s format: text for people, json for scripts (one JSON document on stdout, nothing else there; the schema is in the README)' -r -f -a "text\t''
json\t''"
complete -c rdma-setup -l color -d 'Colour the report: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rdma-setup -l hostfile -d 'After a run that leaves every cable working, write the hostfile `mlx.launch --backend jaccl --hostfile FILE` reads (backend jaccl for a full mesh, jaccl-ring for a ring in rank order). Not written when anything failed' -r -F
complete -c rdma-setup -l rank0-ip -d 'The address the other ranks reach rank 0 at (the first --node\'s host), for the hostfile\'s `ips`. Default: rank 0\'s HostName from the ssh config' -r
complete -c rdma-setup -l ssh-config -d 'Read host aliases from this ssh config instead of ~/.ssh/config' -r -F
complete -c rdma-setup -l connect-timeout -d 'Give up on a host that has not answered within this many seconds' -r
complete -c rdma-setup -l command-timeout -d 'Give up on a remote command that runs longer than this many seconds' -r
complete -c rdma-setup -l lock-wait -d 'When another rdma-setup run is changing a host, wait this many seconds for it to finish before giving up on that host (0: do not wait)' -r
complete -c rdma-setup -l dry-run -d 'Print every command instead of running it (hosts are assumed clean)'
complete -c rdma-setup -l check -d 'Read everything, change nothing (no sudo): report what is right and what a run would change'
complete -c rdma-setup -l list-phases -d 'List the phases in run order and exit'
complete -c rdma-setup -s v -l verbose -d 'Log what happens to stderr (-v), with every detail (-vv)'
complete -c rdma-setup -s q -l quiet -d 'Show only what failed or needs attention, and the summary'
complete -c rdma-setup -l accept-new-host-keys -d 'Trust and record the key of a host not yet in known_hosts (a changed key is always refused)'
complete -c rdma-setup -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rdma-setup -s V -l version -d 'Print version'
