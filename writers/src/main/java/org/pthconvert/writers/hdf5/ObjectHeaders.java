package org.pthconvert.writers.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.jhdf.ObjectHeader;
import io.jhdf.Superblock;
import io.jhdf.object.message.AttributeInfoMessage;
import io.jhdf.object.message.AttributeMessage;
import io.jhdf.object.message.DataSpace;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.object.message.DataTypeMessage;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.GroupInfoMessage;
import io.jhdf.object.message.LinkInfoMessage;
import io.jhdf.object.message.LinkMessage;
import io.jhdf.object.message.Message;

/**
 * Every use of jhdf's writing internals, in one place: the version-2 superblock, version-2 object
 * headers (with their checksums) and the messages they hold. These classes are public in jhdf
 * 0.13.0 but not documented API, so the version is pinned and {@code JhdfInternalsTest} checks
 * each of them; an upgrade that changes one fails there, not in a user's file.
 */
final class ObjectHeaders {

    /** jhdf's writing superblock: version 2, 8-byte offsets and lengths, root group header at 64. */
    static final long ROOT_ADDRESS = 64;
    static final long UNDEFINED_ADDRESS = -1L;

    private static final Superblock.SuperblockV2V3 SUPERBLOCK = new Superblock.SuperblockV2V3();

    /** A hard link: a name in a group and the object header it leads to. */
    record Link(String name, long address) {
    }

    private ObjectHeaders() {
    }

    static ByteBuffer superblock(long endOfFile) {
        return SUPERBLOCK.toBuffer(endOfFile);
    }

    /** A group with compact links (in link order) and attributes. */
    static ByteBuffer group(List<Link> links, List<StringAttribute> attributes) {
        List<Message> messages = new ArrayList<>();
        messages.add(GroupInfoMessage.createBasic());
        messages.add(LinkInfoMessage.createBasic());
        for (Link l : links) {
            messages.add(LinkMessage.create(l.name(), l.address()));
        }
        addAttributes(messages, attributes);
        return new ObjectHeader.ObjectHeaderV2(0, messages).toBuffer();
    }

    /**
     * A dataset.
     *
     * @param datatype the datatype message ({@link Hdf5Types#datatype})
     * @param dims     the shape; rank 0 is a scalar dataspace
     * @param storage  the layout message, after the filter pipeline message if there is one
     * @param links    how many hard links lead to it
     */
    static ByteBuffer dataset(byte[] datatype, long[] dims, List<Message> storage, int links,
                              List<StringAttribute> attributes) {
        List<Message> messages = new ArrayList<>();
        messages.add(DataTypeMessage.create(new EncodedType(datatype)));
        messages.add(DataSpaceMessage.create(dataspace(dims)));
        messages.add(FillValueMessage.NO_FILL);
        messages.addAll(storage);
        if (links > 1) {
            messages.add(new RefCountMessage(links));
        }
        addAttributes(messages, attributes);
        return new ObjectHeader.ObjectHeaderV2(0, messages).toBuffer();
    }

    /** A version-2 dataspace: scalar for rank 0, else simple with these dimensions and no maximum. */
    static DataSpace dataspace(long[] dims) {
        Hdf5Types.Bytes b = new Hdf5Types.Bytes().u8(2).u8(dims.length).u8(0).u8(dims.length == 0 ? 0 : 1);
        for (long d : dims) {
            b.u64(d);
        }
        return DataSpace.readDataSpace(ByteBuffer.wrap(b.toArray()).order(ByteOrder.LITTLE_ENDIAN), SUPERBLOCK);
    }

    private static void addAttributes(List<Message> messages, List<StringAttribute> attributes) {
        if (attributes.isEmpty()) {
            return;
        }
        messages.add(AttributeInfoMessage.create());
        for (StringAttribute a : attributes) {
            messages.add(AttributeMessage.create(a.getName(), a));
        }
    }
}
