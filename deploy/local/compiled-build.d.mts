/** Types of compiled-build.mjs (plain JavaScript, so that it runs before anything is built). */
export declare const root: string;
export declare const distDir: string;
export declare function mtime(path: string): Promise<number>;
export declare function runNode(args: string[], progress: (elapsedMs: number) => void): Promise<number>;
export declare function compileWhenStale(say: (text: string) => void): Promise<void>;
