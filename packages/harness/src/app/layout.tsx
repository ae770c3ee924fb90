import type { ReactNode } from 'react';
import './globals.css';
import { HarnessProvider } from '../components/HarnessProvider';
import { Header } from '../components/Header';
import { ErrorList } from '../components/ErrorList';

export const metadata = {
  title: 's5chat harness',
  description: 'Rapid streaming, stress and conflict tests for s5chat against a real S5 node.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <HarnessProvider>
          <Header />
          <ErrorList />
          <main>{children}</main>
        </HarnessProvider>
      </body>
    </html>
  );
}
