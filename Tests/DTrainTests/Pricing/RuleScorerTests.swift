import Testing

@testable import DTrainCore

@Suite("Rule scorer")
struct RuleScorerTests {
    /// Scores a requirements.txt text and a main script.
    static func score(
        requirements: String = "", script: String = ""
    ) throws -> (signals: [Signal], score: Int) {
        let parsed = try RequirementsParser.parse(
            entryFiles: ["requirements.txt"], files: ["requirements.txt": requirements])
        return RuleScorer.score(
            requirements: parsed.requirements, mainSource: script, mainPath: "train.py")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var requirements = ""
        var script = ""
        /// `name:points` of each signal expected, in order.
        var expected: [String]
        var testDescription: String { "\(requirements)|\(script) → \(expected)" }
    }

    static let singleSignals: [Case] = [
        Case(requirements: "torch==2.1", expected: ["pytorch:40"]),
        Case(requirements: "PyTorch", expected: ["pytorch:40"]),
        Case(script: "import torch.nn as nn", expected: ["pytorch:40"]),
        Case(requirements: "tensorflow>=2", expected: ["tensorflow:40"]),
        Case(requirements: "Keras", expected: ["tensorflow:40"]),
        Case(script: "from tensorflow import keras", expected: ["tensorflow:40"]),
        Case(requirements: "transformers[torch]", expected: ["transformers:45"]),
        Case(requirements: "diffusers", expected: ["transformers:45"]),
        Case(requirements: "xgboost", expected: ["gradient-boosting:20"]),
        Case(requirements: "LightGBM", expected: ["gradient-boosting:20"]),
        Case(script: "import os, catboost as cb", expected: ["gradient-boosting:20"]),
        Case(requirements: "scikit_learn", expected: ["scikit-learn:10"]),
        Case(requirements: "sklearn", expected: ["scikit-learn:10"]),
        Case(script: "from sklearn.svm import SVC", expected: ["scikit-learn:10"]),
        Case(requirements: "numpy", expected: ["numpy-pandas:2"]),
        Case(requirements: "pandas\nnumpy", expected: ["numpy-pandas:2"]),
        Case(requirements: "horovod", expected: ["distributed:20"]),
        Case(requirements: "accelerate", expected: ["distributed:20"]),
        Case(requirements: "deepspeed", expected: ["distributed:20"]),
        Case(script: "model = DistributedDataParallel(model)", expected: ["distributed:20"]),
        Case(
            script: "import torch.distributed as dist", expected: ["pytorch:40", "distributed:20"]),
        Case(script: "model = nn.DataParallel(model)", expected: ["distributed:20"]),
        Case(script: "s = tf.distribute.MirroredStrategy()", expected: ["distributed:20"]),
        Case(script: "dist.init_process_group('nccl')", expected: ["distributed:20"]),
        Case(script: "from accelerate import Accelerator", expected: ["distributed:20"]),
        Case(script: "import horovod.torch as hvd", expected: ["distributed:20"]),
        Case(script: "engine = deepspeed.initialize(args)", expected: ["distributed:20"]),
        Case(requirements: "requests\nflask", expected: []),
    ]

    @Test("each signal alone", arguments: singleSignals)
    func singleSignal(_ testCase: Case) throws {
        let result = try Self.score(requirements: testCase.requirements, script: testCase.script)
        #expect(result.signals.map { "\($0.name):\($0.points)" } == testCase.expected)
        #expect(result.score == result.signals.reduce(0) { $0 + $1.points })
    }

    @Test(
        "n_samples thresholds",
        arguments: [
            ("n_samples = 49_999", 0), ("n_samples = 50_000", 20), ("n_samples = 99999", 20),
            ("n_samples = 100_000", 30), ("n_samples = 1e5", 30), ("n_samples=int(1e5)", 30),
            ("X, y = make_classification(n_samples=100000, n_features=20)", 30),
            ("n_samples: int = 50000", 20), ("config = {\"n_samples\": 150000}", 30),
            ("# n_samples = 1_000_000", 0), ("train_n_samples = 1_000_000", 0),
            ("if n_samples == 100000:", 0),
        ])
    func samples(line: String, points: Int) throws {
        let result = try Self.score(script: "import os\n" + line + "\n")
        #expect(result.score == points)
        if points > 0 {
            #expect(result.signals.first?.evidence == "train.py:2: \(line)")
        }
    }

    @Test(
        "epoch thresholds",
        arguments: [
            ("epochs = 99", 0), ("epochs = 100", 15), ("EPOCHS = 150", 15),
            ("trainer.fit(model, num_epochs=200)", 15), ("model.fit(x, y, epochs=99)", 0),
            ("parser.add_argument(\"--epochs\", type=int, default=120)", 15),
            ("parser.add_argument('--num-epochs', default=99, type=int)", 0),
            ("parser.add_argument('--num-epochs', default=100, type=int)", 15),
            ("trainer = Trainer(max_epochs=300)", 15),
        ])
    func epochs(line: String, points: Int) throws {
        #expect(try Self.score(script: line).score == points)
    }

    @Test("the largest value in the script is the one that counts")
    func largestWins() throws {
        let result = try Self.score(script: "n_samples = 1000\nn_samples = 120_000\n")
        #expect(result.signals.first?.evidence == "train.py:2: n_samples = 120_000")
    }

    @Test("the total is clamped at 100")
    func clamping() throws {
        let result = try Self.score(
            requirements: "torch\ntensorflow\ntransformers", script: "epochs = 500")
        #expect(result.signals.reduce(0) { $0 + $1.points } == 140)
        #expect(result.score == 100)
    }

    @Test("a package and its import count once, with the requirements line as evidence")
    func familyCountedOnce() throws {
        let result = try Self.score(
            requirements: "numpy\ntorch>=2", script: "import torch\nimport torch.nn\n")
        #expect(result.signals.map(\.name) == ["pytorch", "numpy-pandas"])
        #expect(result.signals.first?.evidence == "requirements.txt:2: torch")
        #expect(result.score == 42)
    }
}
