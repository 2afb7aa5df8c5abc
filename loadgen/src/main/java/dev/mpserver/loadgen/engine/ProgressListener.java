package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.ProgressSample;

/** Called on the coordinating thread once per second of a run, and once more at its end. */
@FunctionalInterface
public interface ProgressListener
{
    ProgressListener NONE = sample -> { };

    void onProgress(ProgressSample sample);
}
