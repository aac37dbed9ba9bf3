package io.deepstorage.bronze;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceEnumerator;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReader;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;

/**
 * A bounded FLIP-27 source of fixed elements for tests. The elements are dealt round-robin into {@code splits}
 * splits (element i into split i % splits), each read in order; readers take splits as they ask for them, so with
 * parallelism 2 and 2 splits each reader usually reads one. The elements travel in Flink's own serialization of
 * {@code type}, so they need not be {@link Serializable}.
 */
final class BoundedListSource<T>
        implements Source<T, BoundedListSource.Split<T>, Collection<BoundedListSource.Split<T>>>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> type;
    private final ArrayList<Split<T>> splits = new ArrayList<>();

    private BoundedListSource(Class<T> type, int splitCount, List<T> elements) {
        this.type = TypeInformation.of(type);
        TypeSerializer<T> serializer = this.type.createSerializer(new ExecutionConfig());
        List<ArrayList<byte[]>> dealt = new ArrayList<>();
        for (int s = 0; s < splitCount; s++) {
            dealt.add(new ArrayList<>());
        }
        for (int i = 0; i < elements.size(); i++) {
            dealt.get(i % splitCount).add(bytes(serializer, elements.get(i)));
        }
        for (int s = 0; s < splitCount; s++) {
            splits.add(new Split<>("split-" + s, serializer, dealt.get(s)));
        }
    }

    static <T> BoundedListSource<T> of(Class<T> type, int splits, List<T> elements) {
        return new BoundedListSource<>(type, splits, elements);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<T, Split<T>> createReader(SourceReaderContext context) {
        return new IteratorSourceReader<>(context);
    }

    @Override
    public SplitEnumerator<Split<T>, Collection<Split<T>>> createEnumerator(SplitEnumeratorContext<Split<T>> context) {
        return new IteratorSourceEnumerator<>(context, new ArrayList<>(splits));
    }

    @Override
    public SplitEnumerator<Split<T>, Collection<Split<T>>> restoreEnumerator(
            SplitEnumeratorContext<Split<T>> context, Collection<Split<T>> remaining) {
        return new IteratorSourceEnumerator<>(context, remaining);
    }

    @Override
    public SimpleVersionedSerializer<Split<T>> getSplitSerializer() {
        return new JavaSerialization<>();
    }

    @Override
    public SimpleVersionedSerializer<Collection<Split<T>>> getEnumeratorCheckpointSerializer() {
        return new JavaSerialization<>();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    private static <T> byte[] bytes(TypeSerializer<T> serializer, T element) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(element, out);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialize " + element, e);
        }
    }

    /** The elements a split has still to emit, in order. */
    static final class Split<T> implements IteratorSourceSplit<T, Elements<T>>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final TypeSerializer<T> serializer;
        private final ArrayList<byte[]> elements;

        Split(String id, TypeSerializer<T> serializer, ArrayList<byte[]> elements) {
            this.id = id;
            this.serializer = serializer;
            this.elements = elements;
        }

        @Override
        public String splitId() {
            return id;
        }

        @Override
        public Elements<T> getIterator() {
            return new Elements<>(serializer.duplicate(), elements);
        }

        @Override
        public IteratorSourceSplit<T, Elements<T>> getUpdatedSplitForIterator(Elements<T> iterator) {
            return new Split<>(id, serializer, iterator.remaining());
        }
    }

    static final class Elements<T> implements Iterator<T> {
        private final TypeSerializer<T> serializer;
        private final List<byte[]> elements;
        private int next;

        Elements(TypeSerializer<T> serializer, List<byte[]> elements) {
            this.serializer = serializer;
            this.elements = elements;
        }

        @Override
        public boolean hasNext() {
            return next < elements.size();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            try {
                return serializer.deserialize(new DataInputDeserializer(elements.get(next++)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        ArrayList<byte[]> remaining() {
            return new ArrayList<>(elements.subList(next, elements.size()));
        }
    }

    /** Splits and the enumerator's state are plain Java-serializable objects. */
    static final class JavaSerialization<X> implements SimpleVersionedSerializer<X> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(X value) throws IOException {
            return InstantiationUtil.serializeObject(value instanceof Collection<?> c ? new ArrayList<>(c) : value);
        }

        @Override
        public X deserialize(int version, byte[] serialized) throws IOException {
            try {
                return InstantiationUtil.deserializeObject(serialized, BoundedListSource.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }
    }
}
