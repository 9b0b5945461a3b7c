using System.Buffers.Binary;

namespace WalService.Sqlite.Storage;

/// <summary>
/// Reads a SQLite write-ahead-log file (<c>*.db-wal</c>) the way SQLite's recovery does, before SQLite opens it, to
/// tell how many committed transactions it holds and whether SQLite will be able to recover them all.
/// </summary>
/// <remarks>
/// Layout (https://www.sqlite.org/fileformat2.html#the_write_ahead_log), all header fields big-endian:
/// <code>
///   header (32 bytes): magic 0x377f0682|0x377f0683, version, page size, checkpoint seq, salt-1, salt-2, checksum-1, checksum-2
///   frame  (24 bytes + page): page number, db size after commit (non-zero only on a commit frame), salt-1, salt-2,
///                             checksum-1, checksum-2, then the page
/// </code>
/// A frame belongs to the current generation of the file when its salts equal the header's; checksums chain from the
/// header's through every frame. SQLite recovers frames up to the last commit frame before the first frame that does
/// not verify, and ignores the whole file when the header does not verify. What it cannot tell: a transaction whose
/// frames were never written at all (lost by the disk before the fsync returned) leaves no trace here; and whether
/// a checkpoint had already copied the frames into the database (a checkpoint does not empty the file; the next write
/// after it starts the file over), so frames counted as lost may in that case be in the database after all: the
/// count errs on the side of reporting.
/// </remarks>
internal static class WalFileInspector
{
    private const int HeaderSize = 32;
    private const int FrameHeaderSize = 24;
    private const uint MagicLittleEndian = 0x377f0682;
    private const uint MagicBigEndian = 0x377f0683;

    /// <summary>What a write-ahead-log file holds.</summary>
    /// <param name="Bytes">Its size.</param>
    /// <param name="HeaderValid">Whether SQLite will read it at all.</param>
    /// <param name="RecoverableCommits">Committed transactions SQLite will recover.</param>
    /// <param name="UnrecoverableCommits">Commit frames of the current generation that SQLite will not recover.</param>
    public readonly record struct Result(long Bytes, bool HeaderValid, int RecoverableCommits, int UnrecoverableCommits);

    /// <summary>The file's contents, or null when it is missing or empty (nothing to recover).</summary>
    public static Result? Inspect(string walPath)
    {
        var file = new FileInfo(walPath);
        if (!file.Exists || file.Length == 0)
        {
            return null;
        }

        using var stream = new FileStream(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[HeaderSize];
        if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
        {
            return new Result(file.Length, false, 0, 0);
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
        var bigEndian = magic == MagicBigEndian;
        var headerValid = (magic == MagicLittleEndian || bigEndian) && IsPageSize(pageSize);
        var checksum = (S1: 0u, S2: 0u);
        if (headerValid)
        {
            checksum = Checksum(bigEndian, header.AsSpan(0, 24), checksum);
            headerValid = checksum.S1 == BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24))
                && checksum.S2 == BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        }

        if (!headerValid)
        {
            // SQLite ignores the file. Frames sharing the first frame's salts are one generation: its commits are lost.
            return new Result(file.Length, false, 0, CountCommitsWithFirstFrameSalts(stream, file.Length));
        }

        var salts = header.AsSpan(16, 8).ToArray();
        var frame = new byte[FrameHeaderSize + pageSize];
        var (recovered, lost, broken) = (0, 0, false);
        while (stream.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) == frame.Length)
        {
            if (!frame.AsSpan(8, 8).SequenceEqual(salts))
            {
                // A frame of an earlier generation: the current one ended before it.
                break;
            }

            var isCommit = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)) != 0;
            if (!broken)
            {
                checksum = Checksum(bigEndian, frame.AsSpan(0, 8), checksum);
                checksum = Checksum(bigEndian, frame.AsSpan(FrameHeaderSize), checksum);
                broken = checksum.S1 != BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(16))
                    || checksum.S2 != BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(20));
            }

            if (isCommit && broken)
            {
                lost++;
            }
            else if (isCommit)
            {
                recovered++;
            }
        }

        return new Result(file.Length, true, recovered, lost);
    }

    private static bool IsPageSize(int size) => size is >= 512 and <= 65536 && (size & (size - 1)) == 0;

    private static int CountCommitsWithFirstFrameSalts(FileStream stream, long length)
    {
        // Without a readable header the page size is unknown; try each, keeping the reading that finds most commits.
        var best = 0;
        for (var pageSize = 512; pageSize <= 65536; pageSize *= 2)
        {
            var frameSize = FrameHeaderSize + pageSize;
            if (HeaderSize + frameSize > length)
            {
                break;
            }

            var frameHeader = new byte[FrameHeaderSize];
            stream.Position = HeaderSize;
            stream.ReadExactly(frameHeader);
            var salts = frameHeader.AsSpan(8, 8).ToArray();
            var commits = 0;
            for (var offset = (long)HeaderSize; offset + frameSize <= length; offset += frameSize)
            {
                stream.Position = offset;
                stream.ReadExactly(frameHeader);
                if (!frameHeader.AsSpan(8, 8).SequenceEqual(salts))
                {
                    break;
                }

                commits += BinaryPrimitives.ReadUInt32BigEndian(frameHeader.AsSpan(4)) != 0 ? 1 : 0;
            }

            best = Math.Max(best, commits);
        }

        return best;
    }

    /// <summary>SQLite's WAL checksum over 32-bit words, in the byte order the magic number names.</summary>
    private static (uint S1, uint S2) Checksum(bool bigEndian, ReadOnlySpan<byte> data, (uint S1, uint S2) seed)
    {
        var (s1, s2) = seed;
        for (var i = 0; i + 8 <= data.Length; i += 8)
        {
            var x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            var x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            unchecked
            {
                s1 += x0 + s2;
                s2 += x1 + s1;
            }
        }

        return (s1, s2);
    }
}
