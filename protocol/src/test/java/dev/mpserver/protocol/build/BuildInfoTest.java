package dev.mpserver.protocol.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;

import org.junit.jupiter.api.Test;

class BuildInfoTest
{
    @Test
    void theBuildWroteTheProjectVersionAndACommit()
    {
        final BuildInfo info = BuildInfo.current();
        assertEquals(System.getProperty("mpserver.test.project.version"), info.version(), "the POM's version, filtered in by Maven");
        assertTrue(info.commit().equals(BuildInfo.UNKNOWN) || info.commit().matches("[0-9a-f]{7,40}"), info.commit());
        assertTrue(info.versionLines("mpserver stat").get(0).startsWith("mpserver stat " + info.version() + " (commit " + info.commit()),
            info.versionLines("mpserver stat").toString());
    }

    @Test
    void aTreeBuiltWithoutGitSaysUnknown()
    {
        final Properties unfiltered = new Properties();
        unfiltered.setProperty("version", "1.2.3");
        unfiltered.setProperty("commit", "${git.commit.id.abbrev}");
        unfiltered.setProperty("dirty", "${git.dirty}");
        final BuildInfo info = BuildInfo.of(unfiltered);
        assertEquals("1.2.3", info.version());
        assertEquals(BuildInfo.UNKNOWN, info.commit());
        assertFalse(info.modified());
        assertEquals(BuildInfo.UNKNOWN, BuildInfo.of(new Properties()).version());
        final Properties dirty = new Properties();
        dirty.setProperty("commit", "0123456789ab");
        dirty.setProperty("dirty", "true");
        assertTrue(BuildInfo.of(dirty).modified());
        assertNotEquals(-1, BuildInfo.of(dirty).versionLines("x").get(0).indexOf("(commit 0123456789ab, modified)"));
    }
}
