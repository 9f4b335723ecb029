import DTrainCore
import Foundation

// Placeholder entry point; the command table lands with the spool commands.
print("dtrain")
