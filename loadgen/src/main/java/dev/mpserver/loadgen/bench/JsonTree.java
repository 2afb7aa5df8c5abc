package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads a small JSON document (loadgen's report) into maps and lists with Jackson's streaming
 * parser, and looks figures up by dotted path. The bench needs a handful of numbers from it; a data
 * binding layer for that would be one more dependency for nothing.
 */
final class JsonTree
{
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonTree()
    {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(final Path file) throws IOException
    {
        try (JsonParser parser = FACTORY.createParser(file.toFile()))
        {
            final JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT)
            {
                throw new IOException(file + ": not a JSON object");
            }
            return (Map<String, Object>)value(parser, first);
        }
    }

    private static Object value(final JsonParser parser, final JsonToken token) throws IOException
    {
        switch (token)
        {
            case START_OBJECT:
                final Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME)
                {
                    final String name = parser.currentName();
                    object.put(name, value(parser, parser.nextToken()));
                }
                return object;
            case START_ARRAY:
                final List<Object> array = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY)
                {
                    array.add(value(parser, next));
                }
                return array;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return parser.getNumberValue();
            case VALUE_STRING:
                return parser.getText();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected JSON token " + token);
        }
    }

    /** The number at a dotted path ("latency.route.p99"); NaN if it is missing or not a number. */
    static double number(final Map<String, Object> root, final String path)
    {
        Object node = root;
        for (final String name : path.split("\\."))
        {
            if (!(node instanceof Map))
            {
                return Double.NaN;
            }
            node = ((Map<?, ?>)node).get(name);
        }
        return node instanceof Number ? ((Number)node).doubleValue() : Double.NaN;
    }
}
