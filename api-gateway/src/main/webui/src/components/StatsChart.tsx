import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SandboxStats } from '../api';

/** CPU (percent of one core) and memory (MiB) over the last samples, drawn by uPlot. */
export function StatsChart({ samples }: { samples: SandboxStats[] }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    chart.current = new uPlot(
      {
        width: Math.max(300, host.current!.clientWidth),
        height: 240,
        scales: { x: { time: true }, cpu: { auto: true }, mem: { auto: true } },
        series: [{}, { label: 'CPU %', scale: 'cpu', stroke: '#2563eb', width: 2 }, { label: 'Memory MiB', scale: 'mem', stroke: '#16a34a', width: 2 }],
        axes: [{}, { scale: 'cpu', label: 'CPU %' }, { scale: 'mem', side: 1, label: 'MiB', grid: { show: false } }],
      },
      [[], [], []],
      host.current!,
    );
    const observer = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(300, host.current!.clientWidth), height: 240 }));
    observer.observe(host.current!);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
    };
  }, []);

  useEffect(() => {
    chart.current?.setData([
      samples.map((s) => new Date(s.timestamp).getTime() / 1000),
      samples.map((s) => s.cpu_pct),
      samples.map((s) => s.mem_bytes / (1024 * 1024)),
    ]);
  }, [samples]);

  return <div ref={host} class="chart" role="img" aria-label="CPU and memory of the sandbox over the last minutes" />;
}
