#!/usr/bin/env bash
# Install (apt: slurm-wlm, munge) and start a single-node SLURM controller + daemon on this machine, for tests.
# Idempotent: returns at once when the node is already up. Needs root and Debian/Ubuntu packages.
# One fake GPU (gres gpu:1 backed by /dev/null) lets rules with `resources: gpu=1` be scheduled.
set -euo pipefail

if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "SLURM already running: $(sinfo -h -o '%N %T %C')"
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host="$(hostname -s)"
cpus="$(nproc)"
memory_mb="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))"
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge 2>/dev/null || true

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=robopt-local
SlurmctldHost=${host}
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmUser=root
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# keep finished jobs visible to squeue for 10 minutes (the executor plugin polls squeue, not sacct)
MinJobAge=600
GresTypes=gpu
NodeName=${host} CPUs=${cpus} RealMemory=${memory_mb} Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
echo "Name=gpu File=/dev/null" > /etc/slurm/gres.conf

# no systemd here: start the daemons by hand (munged as the munge user, with the key the package made)
pgrep -x munged >/dev/null || sudo_munge() { su -s /bin/sh munge -c "$*"; }
pgrep -x munged >/dev/null || sudo_munge "/usr/sbin/munged"
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 60); do
    state="$(sinfo -h -o %T 2>/dev/null || true)"
    if [[ "$state" =~ ^(idle|mixed|allocated) ]]; then
        echo "SLURM up: $(sinfo -h -o '%N %T %C')"
        exit 0
    fi
    if [[ "$state" =~ ^(down|drain|unknown) ]]; then
        scontrol update nodename="$host" state=resume 2>/dev/null || true
    fi
    sleep 1
done
echo "SLURM did not come up; see /var/log/slurm/" >&2
exit 1
