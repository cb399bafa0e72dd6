import BigramSearch
import Foundation
let data = try! Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]))
var texts: [String] = []
var i = 0
while i < data.count {
    let n = Int(data[i]) | Int(data[i+1]) << 8 | Int(data[i+2]) << 16 | Int(data[i+3]) << 24
    texts.append(String(decoding: data[(i+4)..<(i+4+n)], as: UTF8.self)); i += 4 + n
}
let a = try! BigramAnalyzer()
var total = 0
for _ in 0..<5 {
  let t0 = Date()
  var count = 0
  for t in texts { count += a.tokenCount(t) }
  let dt = Date().timeIntervalSince(t0)
  print(count, Double(data.count)/dt/1e6, "MB/s")
  total += count
}
