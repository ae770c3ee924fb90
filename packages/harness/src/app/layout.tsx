import type { ReactNode } from 'react';
import './globals.css';
import { HarnessProvider } from '../components/HarnessProvider';
import { Header } from '../components/Header';
import { ErrorList } from '../components/ErrorList';
import { FaultsBanner } from '../components/FaultsBanner';

export const metadata = {
  title: 's5chat harness',
  description: 'Rapid streaming, stress and conflict tests for s5chat against a real S5 node.',
};

export const viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <HarnessProvider>
          <Header />
          <FaultsBanner />
          <ErrorList />
          <main>{children}</main>
        </HarnessProvider>
      </body>
    </html>
  );
}
