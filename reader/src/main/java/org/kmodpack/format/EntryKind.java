package org.kmodpack.format;

/** What an entry of the tree is. The id is what the entry table stores. */
public enum EntryKind {
    DIRECTORY(1),
    FILE(2),
    SYMLINK(3);

    private final int id;

    EntryKind(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static EntryKind byId(int id) {
        for (EntryKind kind : values()) {
            if (kind.id == id) {
                return kind;
            }
        }
        return null;
    }
}
