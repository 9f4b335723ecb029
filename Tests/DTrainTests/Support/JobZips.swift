import ArchiveKit
import Foundation

/// ZIPs of training jobs, built by the tests with dtrain's own libarchive writer.
enum JobZips {
    /// Writes a ZIP holding `files` (path → text) at `path`.
    static func write(_ files: [String: String], to path: String) throws {
        let writer = try ZipWriter(path: path)
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            try writer.addFile(name, contents: Data(text.utf8))
        }
        try writer.close()
    }

    /// A small scikit-learn job: scores 10 (scikit-learn) + 2 (numpy) = 12 → tier 11–20.
    static let sklearn: [String: String] = [
        "train.py": "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
            + "print('training')\n",
        "requirements.txt": "scikit-learn>=1.0\nnumpy\n",
    ]

    static func sklearnZip(in directory: TemporaryDirectory, name: String = "job.zip") throws
        -> String
    {
        let path = directory.file(name)
        try write(sklearn, to: path)
        return path
    }
}
