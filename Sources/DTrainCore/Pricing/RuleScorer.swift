/// Scores a job 0-100 from what it installs and what its main script says.
///
/// Each family of signals counts once: a package in the requirements and an
/// `import` of it in the main script are the same evidence of the same work, so
/// `torch` in requirements.txt plus `import torch` is +40, not +80. The
/// evidence shown is the first found, requirements before code. Points are
/// added and the sum is clamped to 100.
public enum RuleScorer {
    /// A family found by package names or imported module names.
    struct PackageFamily: Sendable {
        let name: String
        let points: Int
        /// PEP 503 normalised package names.
        let packages: Set<String>
        /// Top-level modules whose import counts.
        let modules: Set<String>
    }

    static let packageFamilies: [PackageFamily] = [
        PackageFamily(
            name: "pytorch", points: 40, packages: ["torch", "pytorch"], modules: ["torch"]),
        PackageFamily(
            name: "tensorflow", points: 40,
            packages: [
                "tensorflow", "tensorflow-gpu", "tensorflow-cpu", "keras", "tf-keras",
            ],
            modules: ["tensorflow", "keras"]),
        PackageFamily(
            name: "transformers", points: 45, packages: ["transformers", "diffusers"],
            modules: ["transformers", "diffusers"]),
        PackageFamily(
            name: "gradient-boosting", points: 20,
            packages: ["xgboost", "lightgbm", "catboost"],
            modules: ["xgboost", "lightgbm", "catboost"]),
        PackageFamily(
            name: "scikit-learn", points: 10, packages: ["scikit-learn", "sklearn"],
            modules: ["sklearn"]),
        PackageFamily(
            name: "numpy-pandas", points: 2, packages: ["numpy", "pandas"],
            modules: ["numpy", "pandas"]),
    ]

    /// Packages that mean distributed training (the code patterns are in
    /// `ScriptSignals`).
    static let distributedPackages: Set<String> = ["horovod", "accelerate", "deepspeed"]
    static let distributedPoints = 20

    /// The signals found and their clamped total.
    public static func score(
        requirements: [Requirement], mainSource: String, mainPath: String
    ) -> (signals: [Signal], score: Int) {
        let script = ScriptSignals(source: mainSource, path: mainPath)
        var signals: [Signal] = []

        // Library families: requirements first, then imports.
        for family in packageFamilies {
            let evidence =
                firstPackage(in: requirements, among: family.packages)
                ?? script.firstImport(of: family.modules)
            if let evidence {
                signals.append(Signal(name: family.name, points: family.points, evidence: evidence))
            }
        }

        // Sizes the script sets.
        if let (samples, evidence) = script.largestValue(named: ScriptSignals.samplesNames) {
            let points = samples >= 100_000 ? 30 : (samples >= 50_000 ? 20 : 0)
            if points > 0 {
                signals.append(Signal(name: "large-dataset", points: points, evidence: evidence))
            }
        }
        if let (epochs, evidence) = script.largestValue(named: ScriptSignals.epochNames),
            epochs >= 100
        {
            signals.append(Signal(name: "many-epochs", points: 15, evidence: evidence))
        }

        // Several GPUs or machines.
        let distributed =
            firstPackage(in: requirements, among: distributedPackages)
            ?? script.firstDistributedPattern()
        if let distributed {
            signals.append(
                Signal(name: "distributed", points: distributedPoints, evidence: distributed))
        }
        return (signals, min(100, signals.reduce(0) { $0 + $1.points }))
    }

    private static func firstPackage(
        in requirements: [Requirement], among names: Set<String>
    ) -> String? {
        requirements.first { names.contains($0.name) }.map { "\($0.location): \($0.name)" }
    }
}
