package org.kmodpack.packer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What a write to a file changes even when its size stays: the modification time, and the change time, which
 * also moves when the modification time is set back afterwards (touch -r, rsync). Equal stamps before and after
 * reading mean the bytes read are the file's, not a mix of two versions. File systems without the unix view
 * (Jimfs' plain configurations) give no change time.
 */
record FileStamp(long size, FileTime modified, FileTime changed) {
    static FileStamp of(Path path) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            Map<String, Object> unix = Files.readAttributes(path, "unix:size,lastModifiedTime,ctime",
                    LinkOption.NOFOLLOW_LINKS);
            return new FileStamp((Long) unix.get("size"), (FileTime) unix.get("lastModifiedTime"),
                    (FileTime) unix.get("ctime"));
        }
        BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new FileStamp(basic.size(), basic.lastModifiedTime(), null);
    }
}
