package dev.mpserver.master.it;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mpserver.master.cli.MpServer;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.counters.HotKeys;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.testkit.RtmpTestClient;
import dev.mpserver.testkit.ServerProcess;
import picocli.CommandLine;

/** What the RTMP tests ask of a running mpserver: counters, the hot streams by worker, stat's text. */
final class RtmpServers
{
    /** A stream as a worker names it in its hot keys. */
    record HotStream(int workerPid, String key, int players, boolean published)
    {
    }

    private RtmpServers()
    {
    }

    /** Live workers plus exited ones. */
    static long total(final ServerProcess server, final WorkerCounter counter)
    {
        return server.counters().total(counter);
    }

    /** Every stream a live worker names in its hot keys (the busiest few of each worker). */
    static List<HotStream> hotStreams(final ServerProcess server) throws IOException
    {
        final List<HotStream> streams = new ArrayList<>();
        final Path dir = server.runDir();
        for (final RunDirCounters.Process worker : RunDirCounters.read(dir).workers())
        {
            final CountersFileReader reader = worker.alive() ? CountersFileReader.open(CountersFile.workerFile(dir, worker.pid())) : null;
            if (null == reader)
            {
                continue;
            }
            try
            {
                for (final String entry : reader.hotKeys())
                {
                    if (HotKeys.KIND_STREAM.equals(HotKeys.kind(entry)))
                    {
                        final Map<String, String> fields = HotKeys.fields(entry);
                        streams.add(new HotStream(worker.pid(), HotKeys.key(entry), Integer.parseInt(fields.get("players")),
                            "1".equals(fields.get("publisher"))));
                    }
                }
            }
            finally
            {
                reader.close();
            }
        }
        return streams;
    }

    /** {@code mpserver stat} on the server's run directory, as a user runs it; its output. */
    static String stat(final ServerProcess server, final String... options)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        final List<String> args = new ArrayList<>(List.of("stat", "--run-dir", server.runDir().toString()));
        args.addAll(List.of(options));
        cli.execute(args.toArray(new String[0]));
        return out.toString();
    }

    /** The workerPid of a NetStream.Publish.Start or NetStream.Play.Start, or -1. */
    static int workerPid(final RtmpCommand status)
    {
        final Object pid = RtmpTestClient.infoProperty(status, StatusCode.WORKER_PID);
        return pid instanceof Double ? (int)(double)(Double)pid : -1;
    }

    /** The first error the server sent (an {@code _error}, or an {@code onStatus} at level error). */
    static RtmpCommand awaitError(final RtmpTestClient client) throws IOException
    {
        return client.await(0, m -> m.isCommand() && (CommandName.ERROR.equals(m.command().name()) ||
            StatusCode.LEVEL_ERROR.equals(m.command().infoString("level")))).command();
    }

    /** A publisher of {@code stream} on {@code vhost} (by tcUrl host) with metadata, sequence headers and keyframe 0 sent. */
    static RtmpTestClient publisher(final ServerProcess server, final String vhost, final String stream) throws IOException
    {
        final RtmpTestClient publisher = RtmpTestClient.open(server.port());
        publisher.connect("live", "rtmp://" + vhost + "/live");
        publisher.chunkSize(4096);
        final RtmpCommand started = publisher.publish(stream);
        if (!StatusCode.PUBLISH_START.equals(started.infoString("code")))
        {
            throw new IOException("publish of " + vhost + "/" + stream + " refused: " + started);
        }
        publisher.metadata(320, 240);
        publisher.videoSequenceHeader();
        publisher.audioSequenceHeader();
        publisher.video(0, 0, true, 3000);
        publisher.audio(0, 0);
        return publisher;
    }

    /** The workerPid its Publish.Start or Play.Start named. */
    static int startedPid(final RtmpTestClient client) throws IOException
    {
        for (final RtmpCommand command : client.commands())
        {
            final String code = command.infoString("code");
            if (CommandName.ON_STATUS.equals(command.name()) && (StatusCode.PUBLISH_START.equals(code) || StatusCode.PLAY_START.equals(code)))
            {
                return workerPid(command);
            }
        }
        return -1;
    }
}
