package dev.mpserver.protocol.rtmp;

import java.util.Locale;

/**
 * The parts of RTMP URLs, app names and stream names that name a vhost, read as SRS reads them
 * ({@code srs_discovery_tc_url}, {@code srs_vhost_resolve}).
 *
 * <pre>
 * tcUrl   rtmp://user@Host.Example:1935/live?vhost=v1      host "host.example", query "vhost=v1"
 * app     live?vhost=v1       live...vhost...v1 (FMLE, which cannot send '?')     → vhost v1, app live
 * stream  s1?vhost=v1&amp;token=t                                                    → vhost v1, stream s1
 * </pre>
 * A query starts at the first {@code ?} or {@code ...}; inside it {@code , ... && & =} all separate
 * tokens, and the token after {@code vhost} (or {@code domain}, SRS's newer name) is the vhost.
 */
public final class RtmpUrl
{
    private static final String SCHEME_SEPARATOR = "://";
    private static final String FMLE_SEPARATOR = "...";
    private static final String[] QUERY_SEPARATORS = { ",", "...", "&&", "&", "=" };
    private static final String[] VHOST_KEYS = { "vhost", "domain" };

    private RtmpUrl()
    {
    }

    /**
     * @return the host of a tcUrl, lower case, without scheme, user, port or path; null if there is none.
     * An IPv6 literal keeps its brackets.
     */
    public static String host(final String tcUrl)
    {
        if (null == tcUrl)
        {
            return null;
        }
        final int scheme = tcUrl.indexOf(SCHEME_SEPARATOR);
        final int start = scheme < 0 ? 0 : scheme + SCHEME_SEPARATOR.length();
        int end = tcUrl.length();
        for (int i = start; i < tcUrl.length(); i++)
        {
            final char c = tcUrl.charAt(i);
            if (c == '/' || c == '?' || c == '#')
            {
                end = i;
                break;
            }
        }
        String authority = tcUrl.substring(start, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        final String host;
        if (authority.startsWith("["))
        {
            final int close = authority.indexOf(']');
            host = close < 0 ? authority : authority.substring(0, close + 1);
        }
        else
        {
            final int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
    }

    /** @return the path of a tcUrl after the host, without its query, leading and trailing '/'; "" if none. */
    public static String path(final String tcUrl)
    {
        if (null == tcUrl)
        {
            return "";
        }
        final int scheme = tcUrl.indexOf(SCHEME_SEPARATOR);
        final int start = scheme < 0 ? 0 : scheme + SCHEME_SEPARATOR.length();
        final int slash = tcUrl.indexOf('/', start);
        return slash < 0 ? "" : trimSlashes(withoutQuery(tcUrl.substring(slash + 1)));
    }

    /** @return where the query starts ('?' or the FMLE "..."), or -1. */
    public static int queryStart(final String text)
    {
        final int question = text.indexOf('?');
        final int dots = text.indexOf(FMLE_SEPARATOR);
        if (question < 0)
        {
            return dots;
        }
        return dots < 0 ? question : Math.min(question, dots);
    }

    /** @return the text before its query (the whole text if it has none). */
    public static String withoutQuery(final String text)
    {
        final int query = queryStart(text);
        return query < 0 ? text : text.substring(0, query);
    }

    /** @return the vhost named in the text's query, lower case, or null. */
    public static String queryVhost(final String text)
    {
        if (null == text)
        {
            return null;
        }
        final int query = queryStart(text);
        if (query < 0)
        {
            return null;
        }
        String tokens = text.substring(query);
        for (final String separator : QUERY_SEPARATORS)
        {
            tokens = tokens.replace(separator, "?");
        }
        final String[] parts = tokens.split("\\?");
        for (final String key : VHOST_KEYS)
        {
            for (int i = 0; i + 1 < parts.length; i++)
            {
                if (key.equals(parts[i]) && !parts[i + 1].isEmpty())
                {
                    return parts[i + 1].toLowerCase(Locale.ROOT);
                }
            }
        }
        return null;
    }

    /** @return the text without leading and trailing '/'. */
    static String trimSlashes(final String text)
    {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) == '/')
        {
            start++;
        }
        while (end > start && text.charAt(end - 1) == '/')
        {
            end--;
        }
        return text.substring(start, end);
    }
}
