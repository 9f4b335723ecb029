import Testing

@testable import DTrainCore

@Suite("Requirements parsing")
struct RequirementsParserTests {
    /// Every syntax feature pip accepts, with CRLF line ends and a BOM.
    static let main = [
        "\u{FEFF}# pinned for the GPU box",
        "numpy>=1.24  # inline comment",
        "",
        "Scikit_Learn==1.3.0",
        "transformers[torch, Sentence_Piece]>=4.30 ; python_version<\"3.9\"",
        "tensorflow \\",
        "    >=2.12 \\",
        "    ,<3",
        "torch==2.1 --hash=sha256:abcd",
        "-r deps/base.txt",
        "--requirement=deps/extra.txt",
        "-i https://example.invalid/simple",
        "--extra-index-url https://example.invalid/extra",
        "-e git+https://example.invalid/repo.git#egg=mylib",
        "https://example.invalid/pkgs/foo-1.0-py3-none-any.whl",
        "./vendor/localpkg",
        "MyPkg @ https://example.invalid/mypkg.tar.gz",
        "git+https://example.invalid/hf.git#egg=Diffusers",
        "numpy 1.2 garbage",
        "# a comment that ends in a backslash \\",
        "lightgbm",
        "-c constraints.txt",
    ].joined(separator: "\r\n")

    static let files = [
        "requirements.txt": main,
        "deps/base.txt": "-r ../common.txt\nPandas\n",
        "deps/extra.txt": "XGBoost\r",
        "common.txt": "catboost\n",
    ]

    @Test("every pip syntax feature is read as pip reads it")
    func everyFeature() throws {
        let parsed = try RequirementsParser.parse(
            entryFiles: ["requirements.txt"], files: Self.files)
        #expect(
            parsed.requirements.map(\.name) == [
                "numpy", "scikit-learn", "transformers", "tensorflow", "torch", "catboost",
                "pandas", "xgboost", "mypkg", "diffusers", "lightgbm",
            ])
        #expect(
            parsed.filesRead == [
                "requirements.txt", "deps/base.txt", "common.txt", "deps/extra.txt",
            ])

        let transformers = parsed.requirements[2]
        #expect(transformers.extras == ["torch", "sentence-piece"])
        #expect(transformers.specifier == ">=4.30")
        #expect(transformers.marker == "python_version<\"3.9\"")
        #expect(transformers.location == "requirements.txt:5")

        let tensorflow = parsed.requirements[3]
        #expect(tensorflow.specifier.filter { !$0.isWhitespace } == ">=2.12,<3")
        #expect(tensorflow.line == 6)
        #expect(parsed.requirements[0].specifier == ">=1.24")
        #expect(parsed.requirements[5].location == "common.txt:1")
        #expect(parsed.requirements.last?.location == "requirements.txt:21")
    }

    @Test("options, URLs, paths and unreadable lines become warnings with their line")
    func warnings() throws {
        let parsed = try RequirementsParser.parse(
            entryFiles: ["requirements.txt"], files: Self.files)
        let expected = [
            "requirements.txt:9: per-requirement option --hash ignored",
            "requirements.txt:12: pip option '-i' ignored",
            "requirements.txt:13: pip option '--extra-index-url' ignored",
            "requirements.txt:14: editable install",
            "requirements.txt:15: URL or path",
            "requirements.txt:16: URL or path './vendor/localpkg'",
            "requirements.txt:17: installed from a URL",
            "requirements.txt:18: installed from a URL or path",
            "requirements.txt:19: 'numpy 1.2 garbage'",
            "requirements.txt:22: constraints file",
        ]
        #expect(parsed.warnings.count == expected.count)
        for (warning, prefix) in zip(parsed.warnings, expected) {
            #expect(warning.hasPrefix(prefix), "\(warning) should start with \(prefix)")
        }
    }

    @Test(
        "PEP 503 normalisation",
        arguments: [
            ("Scikit_Learn", "scikit-learn"), ("Pillow", "pillow"), ("a.-_b", "a-b"),
            ("zope.interface", "zope-interface"),
        ])
    func normalisation(raw: String, normalised: String) {
        #expect(RequirementsParser.normalize(raw) == normalised)
    }

    @Test(
        "-r includes that escape the ZIP or are missing are refused",
        arguments: [
            (
                "-r ../outside.txt",
                RequirementsError.includeEscapes(
                    file: "requirements.txt", line: 2, target: "../outside.txt")
            ),
            (
                "--requirement /etc/passwd",
                .includeEscapes(
                    file: "requirements.txt", line: 2, target: "/etc/passwd")
            ),
            (
                "-rnot-there.txt",
                .includeMissing(
                    file: "requirements.txt", line: 2, target: "not-there.txt")
            ),
        ])
    func badIncludes(line: String, error: RequirementsError) {
        let files = ["requirements.txt": "numpy\n" + line + "\n"]
        #expect(throws: error) {
            try RequirementsParser.parse(entryFiles: ["requirements.txt"], files: files)
        }
        #expect(error.exitStatus == .rejected)
    }

    @Test("pip-compile style hashes on continuation lines are one warning")
    func hashContinuations() throws {
        let text = "torch==2.1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nnumpy\n"
        let parsed = try RequirementsParser.parse(
            entryFiles: ["requirements.txt"], files: ["requirements.txt": text])
        #expect(parsed.requirements.map(\.name) == ["torch", "numpy"])
        #expect(parsed.requirements.map(\.line) == [1, 4])
        #expect(parsed.requirements.first?.specifier == "==2.1.0")
        #expect(parsed.warnings == ["requirements.txt:1: per-requirement option --hash ignored"])
    }

    @Test("include cycles are detected and the chain is shown")
    func cycle() {
        let files = [
            "requirements.txt": "-r a/one.txt\n", "a/one.txt": "-r two.txt\n",
            "a/two.txt": "torch\n-r ../requirements.txt\n",
        ]
        let error = #expect(throws: RequirementsError.self) {
            try RequirementsParser.parse(entryFiles: ["requirements.txt"], files: files)
        }
        #expect(
            error
                == .includeCycle(chain: [
                    "requirements.txt", "a/one.txt", "a/two.txt", "requirements.txt",
                ]))
        #expect(error?.description.contains("a/one.txt -> a/two.txt") == true)
    }

    @Test("a file included twice (a diamond) is read once")
    func diamond() throws {
        let files = [
            "requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-r c.txt\n",
            "b.txt": "-r c.txt\n", "c.txt": "numpy\n",
        ]
        let parsed = try RequirementsParser.parse(entryFiles: ["requirements.txt"], files: files)
        #expect(parsed.requirements.map(\.name) == ["numpy"])
    }

    @Test("includeTargets resolves against the including file and drops escapes")
    func includeTargets() {
        let text = "-r ../common.txt\n-r ./more.txt\n-r ../../../escape.txt\n-r https://x/y.txt\n"
        #expect(
            RequirementsParser.includeTargets(in: text, from: "deps/gpu/req.txt") == [
                "deps/common.txt", "deps/gpu/more.txt",
            ])
    }
}
