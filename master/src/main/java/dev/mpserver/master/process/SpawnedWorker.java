package dev.mpserver.master.process;

/** A worker just started: its pid and the master's end of its channel. */
public record SpawnedWorker(int pid, int channelFd)
{
}
